import { useEffect, useRef, useState } from 'preact/hooks';
import type { IncidentState } from '../../../events/incident/incident.ts';
import { incidentView } from '../../../events/incident/visibility.ts';
import { ApiError, listIncidents } from '../api.ts';
import {
  loadHeads,
  loadReplay,
  STREAM_ID,
  type StreamReplay,
  type VerifiedHere,
  verifyHere,
} from '../audit-api.ts';
import { formatJst, fromJstInput, toJstInput } from '../audit-time.ts';
import type { AuditEvent, StreamFailure } from '../audit-verify.ts';
import { FormField, fieldAria } from '../components/form.tsx';
import { DrillMark } from '../components/status.tsx';
import { HopTimeline } from '../components/timeline.tsx';
import { Link, Notice, PageHeading, TlpLabel } from '../components/ui.tsx';
import { describeError } from '../errors.ts';
import { usePoll } from '../hooks.ts';
import { isMessageKey } from '../i18n/index.ts';
import { lang, useT } from '../i18n/lang.ts';
import { navigate } from '../router.ts';
import { useStore } from '../store.ts';
import { eventTypeKey } from './events.tsx';
import { IncidentHeader } from './incident.tsx';
import '../audit.css';

/** The moment formatter of the current language: JST, seconds included. */
export function useJst(): (iso: string) => string {
  const current = useStore(lang);
  return (iso) => formatJst(iso, current);
}

/** The audit pages' own menu: streams, and deadline compliance. */
export function AuditNav(props: { current: 'streams' | 'compliance' }) {
  const t = useT();
  return (
    <nav class="audit-nav" aria-label={t('audit.nav')}>
      <Link to={{ name: 'audit' }} aria-current={props.current === 'streams' ? 'page' : undefined}>
        {t('audit.nav.streams')}
      </Link>
      <Link
        to={{ name: 'auditCompliance' }}
        aria-current={props.current === 'compliance' ? 'page' : undefined}
      >
        {t('audit.nav.compliance')}
      </Link>
    </nav>
  );
}

/**
 * The stream types the picker lists by id: every one but incidents (listed by title) and advisory
 * recipients (thousands an advisory), each read on its own (`GET /audit/heads?type=`), so the picker
 * never reads the heads of the many incidents and recipients.
 */
const PICKED_TYPES = [
  'activity',
  'advisory',
  'advisory-fork',
  'exercise',
  'organization',
  'plan',
  'sector',
  'survey',
  'survey-response',
] as const;

/** Streams the picker offers: every incident by its title, and the other streams by id. */
async function loadChoices() {
  const [incidents, ...perType] = await Promise.all([
    listIncidents(),
    ...PICKED_TYPES.map((type) => loadHeads(type)),
  ]);
  const others = new Map<string, string[]>();
  PICKED_TYPES.forEach((type, i) => {
    const ids = (perType[i] ?? []).map((h) => h.streamId);
    if (ids.length) others.set(type, ids);
  });
  return { incidents, others };
}

/** Pick a stream: from the incidents and other streams, or by typing its id. */
export function AuditPage() {
  const t = useT();
  const jst = useJst();
  const polled = usePoll(loadChoices, []);
  const [picked, setPicked] = useState('');
  const [typed, setTyped] = useState('');
  const [typedError, setTypedError] = useState(false);
  const typedMessage = typedError ? t('audit.typed.invalid') : undefined;
  const open = (id: string) => navigate({ name: 'auditStream', id });
  const data = polled.data;
  return (
    <section>
      <PageHeading>{t('audit.title')}</PageHeading>
      <AuditNav current="streams" />
      <p>{t('audit.intro')}</p>
      {polled.error !== undefined && <Notice kind="error">{describeError(polled.error, t)}</Notice>}
      <form
        class="card form"
        onSubmit={(e) => {
          e.preventDefault();
          if (picked) open(picked);
        }}
      >
        <div class="field">
          <label for="audit-stream-select">{t('audit.pick.label')}</label>
          <select
            id="audit-stream-select"
            value={picked}
            onChange={(e) => setPicked(e.currentTarget.value)}
            disabled={!data}
          >
            <option value="">{data ? t('audit.pick.choose') : t('app.loading')}</option>
            {data && (
              <optgroup label={t('audit.type.incident')}>
                {data.incidents.map((i) => (
                  <option key={i.id} value={`incident#${i.id}`}>
                    {i.title} ({jst(i.createdAt)})
                  </option>
                ))}
              </optgroup>
            )}
            {data &&
              [...data.others].map(([type, ids]) => (
                <optgroup key={type} label={typeLabel(type, t)}>
                  {ids.map((id) => (
                    <option key={id} value={id}>
                      {id}
                    </option>
                  ))}
                </optgroup>
              ))}
          </select>
        </div>
        <button type="submit" class="primary" disabled={!picked}>
          {t('audit.pick.open')}
        </button>
      </form>
      <form
        class="card form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const id = typed.trim();
          if (!STREAM_ID.test(id)) {
            setTypedError(true);
            document.getElementById('audit-stream-id')?.focus();
            return;
          }
          open(id);
        }}
      >
        <FormField
          id="audit-stream-id"
          label={t('audit.typed.label')}
          hint={t('audit.typed.hint')}
          error={typedMessage}
        >
          <input
            type="text"
            spellcheck={false}
            autocomplete="off"
            value={typed}
            {...fieldAria('audit-stream-id', typedMessage, true)}
            onInput={(e) => {
              setTyped(e.currentTarget.value);
              setTypedError(false);
            }}
          />
        </FormField>
        <button type="submit" class="secondary">
          {t('audit.pick.open')}
        </button>
      </form>
    </section>
  );
}

const typeLabel = (type: string, t: ReturnType<typeof useT>) => {
  const key = `audit.type.${type}`;
  return isMessageKey(key) ? t(key) : type;
};

/** One stream: its state at a chosen moment (JST), the events up to it, and verification in the browser. */
export function AuditStreamPage(props: { id: string }) {
  const t = useT();
  const jst = useJst();
  const [input, setInput] = useState('');
  const [inputError, setInputError] = useState(false);
  const inputMessage = inputError ? t('error.datetime') : undefined;
  const [asOf, setAsOf] = useState<string | null>(null);
  // A moment in the past cannot change: re-read only the latest state (or a moment still to come).
  const polled = usePoll(
    () => loadReplay(props.id, asOf),
    [props.id, asOf],
    asOf === null || Date.parse(asOf) > Date.now(),
  );
  const data = polled.data;
  const notYet = polled.error instanceof ApiError && polled.error.problem.status === 404;
  // The state is re-read for the new moment: the focus goes to its heading once it is there.
  const focusState = useRef(false);
  useEffect(() => {
    if (!data || !focusState.current) return;
    focusState.current = false;
    document.getElementById('audit-state-title')?.focus();
  }, [data]);
  // The state right after an event: its exact recorded time (milliseconds too) becomes the moment.
  const showAfter = (recordedAt: string) => {
    setInput(toJstInput(recordedAt));
    setInputError(false);
    setAsOf(recordedAt);
    focusState.current = true;
  };
  const apply = (e: Event) => {
    e.preventDefault();
    const at = fromJstInput(input);
    setInputError(at === null);
    if (at === null) document.getElementById('audit-as-of')?.focus();
    else setAsOf(at);
  };
  return (
    <section>
      <PageHeading>
        {`${t('audit.stream.title')}: ${isDrill(data) ? `${t('drill.mark')} ` : ''}${titleOf(data) ?? props.id}`}
      </PageHeading>
      <AuditNav current="streams" />
      <p>
        <code class="stream-id">{props.id}</code> ·{' '}
        <Link to={{ name: 'audit' }}>{t('audit.stream.back')}</Link>
      </p>
      <form class="card form as-of" noValidate onSubmit={apply}>
        <FormField
          id="audit-as-of"
          label={t('audit.asOf.label')}
          hint={t('audit.asOf.hint')}
          error={inputMessage}
        >
          <input
            type="datetime-local"
            step="0.001"
            value={input}
            {...fieldAria('audit-as-of', inputMessage, true)}
            onInput={(e) => setInput(e.currentTarget.value)}
          />
        </FormField>
        <div class="actions">
          <button type="submit" class="primary">
            {t('audit.asOf.apply')}
          </button>
          <button
            type="button"
            class="secondary"
            disabled={asOf === null}
            onClick={() => {
              setAsOf(null);
              setInput('');
              setInputError(false);
            }}
          >
            {t('audit.asOf.latest')}
          </button>
        </div>
      </form>
      <p class="audit-moment" aria-live="polite">
        {asOf ? t('audit.asOf.showing', { time: jst(asOf) }) : t('audit.asOf.showingLatest')}
      </p>
      {notYet ? (
        <Notice kind="error">
          {asOf ? t('audit.stream.notYet', { time: jst(asOf) }) : t('audit.stream.none')}
        </Notice>
      ) : (
        polled.error !== undefined && <Notice kind="error">{describeError(polled.error, t)}</Notice>
      )}
      {!data && polled.error === undefined && <p>{t('app.loading')}</p>}
      {data && !notYet && (
        <>
          <h2 id="audit-state-title" tabIndex={-1}>
            {t('audit.state.title', { version: data.version })}
          </h2>
          <StateView replay={data} moment={asOf ?? new Date().toISOString()} />
        </>
      )}
      {/* Kept while another moment loads; hidden only when the stream does not exist at all. */}
      {!(notYet && asOf === null) && <VerifyPanel streamId={props.id} />}
      {data && !notYet && (
        <>
          <h2>{t('audit.events.title', { n: data.events.length })}</h2>
          <EventList events={data.events} pick={showAfter} />
        </>
      )}
    </section>
  );
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A drill's stream (an advisory or its recipient marked as an exercise): every page says so. */
const isDrill = (data: StreamReplay | undefined) => isRecord(data?.state) && data.state.drill === true;

function titleOf(data: StreamReplay | undefined): string | null {
  if (!data || !isRecord(data.state)) return null;
  const s = data.state;
  if (isRecord(s.report) && typeof s.report.title === 'string') return s.report.title;
  return typeof s.title === 'string' ? s.title : null;
}

/** The folded state: an incident as its status and hops with deadlines (as they stood then), anything else as keys and values. */
function StateView(props: { replay: StreamReplay; moment: string }) {
  const t = useT();
  const { replay } = props;
  if (!replay.folded || replay.state === null) return <p>{t('audit.state.unfolded')}</p>;
  if (replay.streamType === 'incident') {
    const incident = incidentView(replay.state as IncidentState, props.moment);
    return (
      <div class="card state">
        <IncidentHeader incident={incident} />
        <p class="sr-only">{t(`status.${incident.status}`)}</p>
        <HopTimeline incident={incident} now={Date.parse(props.moment)} />
      </div>
    );
  }
  const state = isRecord(replay.state) ? replay.state : { value: replay.state };
  return (
    <div class="card state">
      <div class="meta">
        {state.drill === true && <DrillMark />}
        {typeof state.tlp === 'string' && <TlpLabel tlp={state.tlp} />}
      </div>
      <KeyValues value={state} />
    </div>
  );
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Any JSON value, readably: objects as term lists, arrays as lists, times also in JST. */
function KeyValues(props: { value: unknown }): preact.JSX.Element {
  const t = useT();
  const jst = useJst();
  const { value } = props;
  if (value === null || value === undefined) return <span class="kv-none">{t('audit.value.none')}</span>;
  if (typeof value === 'boolean') return <span>{value ? t('audit.value.yes') : t('audit.value.no')}</span>;
  if (typeof value === 'string')
    return ISO.test(value) ? (
      <time dateTime={value}>{jst(value)}</time>
    ) : (
      <span class="kv-value">{value}</span>
    );
  if (typeof value !== 'object') return <span>{String(value)}</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="kv-none">{t('audit.value.empty')}</span>;
    if (value.every((v) => typeof v !== 'object' || v === null))
      return <span class="kv-value">{value.join(', ')}</span>;
    return (
      <ol class="kv-list">
        {value.map((v, i) => (
          <li key={i}>
            <KeyValues value={v} />
          </li>
        ))}
      </ol>
    );
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return <span class="kv-none">{t('audit.value.empty')}</span>;
  return (
    <dl class="kv">
      {entries.map(([k, v]) => (
        <div key={k} class="kv-row">
          <dt>{k}</dt>
          <dd>
            <KeyValues value={v} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** The events up to the moment, oldest first, each with its hash and data, and a button to take its time. */
function EventList(props: { events: readonly AuditEvent[]; pick: (at: string) => void }) {
  const t = useT();
  const jst = useJst();
  if (props.events.length === 0) return <p>{t('events.empty')}</p>;
  return (
    <ol class="stream audit-stream">
      {props.events.map((e) => {
        const key = eventTypeKey(e.type);
        const actor = isRecord(e.actor) && typeof e.actor.sub === 'string' ? e.actor.sub : '';
        return (
          <li key={e.version} class={`event event-${e.type}`} data-version={e.version}>
            <div class="event-head">
              <span class="event-version">{t('events.version', { n: e.version })}</span>
              <strong>{key ? t(key) : e.type}</strong> <code>{e.type}</code>
            </div>
            <div class="event-line">
              <time dateTime={e.recordedAt}>{jst(e.recordedAt)}</time> · {t('events.by', { actor })}
            </div>
            <div class="event-line hash">
              {t('audit.events.hash')}{' '}
              <code title={e.hash ?? ''}>{e.hash ? `${e.hash.slice(0, 16)}…` : '—'}</code>
            </div>
            <details>
              <summary>{t('audit.events.data', { n: e.version })}</summary>
              <pre>{JSON.stringify(e.data, null, 2)}</pre>
            </details>
            <button type="button" class="link small" onClick={() => props.pick(e.recordedAt)}>
              {t('audit.events.showAfter', { n: e.version })}
            </button>
          </li>
        );
      })}
    </ol>
  );
}

const PINNED_KEY = 'ceptoar.audit.publicKey';

/** Verification of the whole stream, computed here: the outcome in one sentence, then what failed. */
function VerifyPanel(props: { streamId: string }) {
  const t = useT();
  const jst = useJst();
  const [pinned, setPinned] = useState(() => localStorage.getItem(PINNED_KEY) ?? '');
  const [state, setState] = useState<
    | { kind: 'idle' }
    | { kind: 'running' }
    | { kind: 'done'; result: VerifiedHere }
    | { kind: 'error'; error: unknown }
  >({ kind: 'idle' });
  const run = async () => {
    setState({ kind: 'running' });
    try {
      setState({ kind: 'done', result: await verifyHere(props.streamId, pinned.trim() || null) });
    } catch (error) {
      setState({ kind: 'error', error });
    }
  };
  return (
    <section class="card audit-verify" aria-labelledby="verify-title">
      <h2 id="verify-title">{t('audit.verify.title')}</h2>
      <p>{t('audit.verify.intro')}</p>
      <details class="audit-pin" open={pinned !== ''}>
        <summary>{t('audit.pin.summary')}</summary>
        <FormField
          id="audit-public-key"
          label={t('audit.pin.label')}
          hint={t('audit.pin.hint')}
          error={undefined}
        >
          <textarea
            rows={4}
            spellcheck={false}
            value={pinned}
            {...fieldAria('audit-public-key', undefined, true)}
            onInput={(e) => {
              const value = e.currentTarget.value;
              setPinned(value);
              if (value.trim()) localStorage.setItem(PINNED_KEY, value.trim());
              else localStorage.removeItem(PINNED_KEY);
            }}
          />
        </FormField>
      </details>
      <button type="button" class="primary" disabled={state.kind === 'running'} onClick={() => void run()}>
        {state.kind === 'running' ? t('audit.verify.running') : t('audit.verify.run')}
      </button>
      <div aria-live="polite">
        {state.kind === 'error' && <Notice kind="error">{describeError(state.error, t)}</Notice>}
        {state.kind === 'done' && <VerifyResult result={state.result} jst={jst} />}
      </div>
    </section>
  );
}

function VerifyResult(props: { result: VerifiedHere; jst: (iso: string) => string }) {
  const t = useT();
  const { jst } = props;
  const result = props.result.verification;
  const { key } = props.result;
  const cp = result.checkpoint;
  const keyLine = key && (
    <p class="hint key">
      {t(key.pinned ? 'audit.verify.keyPinned' : 'audit.verify.keyServer', { fingerprint: key.fingerprint })}
    </p>
  );
  if (!result.ok) {
    return (
      <div class="notice notice-error verify-failed" role="alert">
        <p>{t('audit.verify.failed', { n: result.events })}</p>
        <ul>
          {result.failures.map((f) => (
            <li key={`${f.kind}-${f.version ?? ''}`} data-kind={f.kind}>
              {failureText(f, t)}
            </li>
          ))}
        </ul>
        {keyLine}
      </div>
    );
  }
  return (
    <div class="notice verify-ok" role="status">
      <p>
        <strong>{t('audit.verify.ok', { n: result.events })}</strong>
      </p>
      {cp ? (
        <>
          <p>{t('audit.verify.anchored', { version: cp.version, id: cp.id, time: jst(cp.createdAt) })}</p>
          {result.lastVersion > cp.version && (
            <p>{t('audit.verify.after', { from: cp.version + 1, to: result.lastVersion })}</p>
          )}
          <p class="hint">{t('audit.verify.key', { algorithm: cp.algorithm, key: cp.keyId })}</p>
          {keyLine}
        </>
      ) : (
        <p>{t('audit.verify.noCheckpoint')}</p>
      )}
    </div>
  );
}

function failureText(f: StreamFailure, t: ReturnType<typeof useT>): string {
  const params = { version: f.version ?? '', other: f.other ?? '' };
  return t(`audit.failure.${f.kind}`, params);
}
