import { useEffect, useState } from 'preact/hooks';
import { configStore } from '../api.ts';
import { Notice, PageHeading, useOrgName } from '../components/ui.tsx';
import type { ConsoleConfig } from '../config.ts';
import { useT } from '../i18n/lang.ts';
import { navigate } from '../router.ts';
import { finishCognitoSignIn, type Role, roles, signInLocal, startCognitoSignIn } from '../session.ts';
import { useStore } from '../store.ts';

/** Sign-in: locally a role and organisation picker over /local/token; in AWS, Cognito's hosted UI with PKCE. */
export function SignInPage() {
  const config = useStore(configStore);
  const t = useT();
  if (!config) return null;
  return (
    <section>
      <PageHeading>{t('signIn.title')}</PageHeading>
      {config.auth === 'local' ? <LocalSignIn config={config} /> : <CognitoSignIn config={config} />}
    </section>
  );
}

function LocalSignIn(props: { config: ConsoleConfig }) {
  const t = useT();
  const orgName = useOrgName();
  const members = props.config.organisations.filter((o) => o.kind === 'member');
  const [role, setRole] = useState<Role>('member');
  const [org, setOrg] = useState(members[0]?.id ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signInLocal(props.config, role, role === 'member' ? org : undefined);
      navigate({ name: 'home' }, { replace: true });
    } catch (err) {
      setError(t('signIn.failed', { detail: String((err as Error).message) }));
      setBusy(false);
    }
  };
  return (
    <form class="card form" onSubmit={submit}>
      <p>{t('signIn.local')}</p>
      {error && <Notice kind="error">{error}</Notice>}
      <fieldset>
        <legend>{t('signIn.role')}</legend>
        {roles.map((r) => (
          <label key={r} class="choice">
            <input type="radio" name="role" value={r} checked={role === r} onChange={() => setRole(r)} />
            {t(`role.${r}`)}
          </label>
        ))}
      </fieldset>
      {role === 'member' && (
        <div class="field">
          <label for="sign-in-org">{t('signIn.org')}</label>
          <select id="sign-in-org" value={org} onChange={(e) => setOrg(e.currentTarget.value)}>
            {members.map((o) => (
              <option key={o.id} value={o.id}>
                {orgName(o.id)}
              </option>
            ))}
          </select>
        </div>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {t('signIn.submit')}
      </button>
    </form>
  );
}

function CognitoSignIn(props: { config: Extract<ConsoleConfig, { auth: 'cognito' }> }) {
  const t = useT();
  return (
    <div class="card">
      <p>{t('signIn.cognito.body')}</p>
      <button type="button" class="primary" onClick={() => void startCognitoSignIn(props.config)}>
        {t('signIn.cognito')}
      </button>
    </div>
  );
}

/** Cognito's redirect back: trade the code, then go home. */
export function CallbackPage() {
  const config = useStore(configStore);
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (config?.auth !== 'cognito') {
      navigate({ name: 'signIn' }, { replace: true });
      return;
    }
    finishCognitoSignIn(config, new URLSearchParams(location.search)).then(
      () => navigate({ name: 'home' }, { replace: true }),
      (err: Error) => setError(t('signIn.failed', { detail: err.message })),
    );
  }, [config]);
  return (
    <section>
      <PageHeading>{t('signIn.title')}</PageHeading>
      {error ? <Notice kind="error">{error}</Notice> : <p>{t('signIn.callback')}</p>}
    </section>
  );
}
