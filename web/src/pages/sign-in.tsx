import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_SECTOR } from '../../../events/sector/catalog.ts';
import { configStore } from '../api.ts';
import { Notice, PageHeading, useOrgName } from '../components/ui.tsx';
import type { ConsoleConfig } from '../config.ts';
import { lang, useT } from '../i18n/lang.ts';
import { navigate } from '../router.ts';
import { signInChoices, tokenRequestOf } from '../sector-choices.ts';
import { sectorName } from '../sectors.ts';
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
  const current = useStore(lang);
  const choices = signInChoices(props.config);
  const [role, setRole] = useState<Role>('member');
  const [org, setOrg] = useState(choices.members[0]?.orgs[0]?.id ?? '');
  const [sector, setSector] = useState<string>(DEFAULT_SECTOR);
  const [ministry, setMinistry] = useState(choices.ministries[0]?.id ?? '');
  const [scope, setScope] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const request = tokenRequestOf(choices, { role, org, sector, ministry, scope });
      await signInLocal(props.config, request.role, request.org, request.sector);
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
            {choices.members.map((group) => {
              const options = group.orgs.map((o) => (
                <option key={o.id} value={o.id}>
                  {orgName(o.id)}
                </option>
              ));
              // One sector (a config from before sectors): its members alone, ungrouped.
              return choices.members.length > 1 ? (
                <optgroup key={group.sector} label={sectorName(choices.sectors, group.sector, current)}>
                  {options}
                </optgroup>
              ) : (
                options
              );
            })}
          </select>
        </div>
      )}
      {role === 'secretariat' && choices.sectors.length > 1 && (
        <Picker
          id="sign-in-sector"
          label={t('signIn.sector')}
          value={sector}
          onChange={setSector}
          options={choices.sectors.map((s) => ({ value: s.id, label: s.names[current] }))}
        />
      )}
      {role === 'ministry' && choices.ministries.length > 1 && (
        <Picker
          id="sign-in-ministry"
          label={t('signIn.ministry')}
          value={ministry}
          onChange={setMinistry}
          options={choices.ministries.map((m) => ({ value: m.id, label: orgName(m.id) }))}
        />
      )}
      {(role === 'nisc' || role === 'auditor') && choices.sectors.length > 1 && (
        <Picker
          id="sign-in-scope"
          label={t('signIn.scope')}
          value={scope}
          onChange={setScope}
          options={[
            { value: '', label: t('signIn.scope.all') },
            ...choices.sectors.map((s) => ({ value: s.id, label: s.names[current] })),
          ]}
        />
      )}
      <button type="submit" class="primary" disabled={busy}>
        {t('signIn.submit')}
      </button>
    </form>
  );
}

/** A labelled select of the sign-in form. */
function Picker(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly { value: string; label: string }[];
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
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
