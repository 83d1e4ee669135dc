import { useRef, useState } from 'preact/hooks';
import { activityInputSchema, activityKinds } from '../../../events/activity/activity.ts';
import type { activitySchema } from '../../../events/api/report.ts';
import { fiscalYearOfDate } from '../../../events/report/fiscal-year.ts';
import type * as z from '../../../events/zod.ts';
import { ApiError, apiBlob, apiCall, newIdempotencyKey } from '../api.ts';
import { ErrorSummary, FormField, fieldAria } from '../components/form.tsx';
import { Notice, PageHeading, useFormatTime } from '../components/ui.tsx';
import { saveBlob } from '../csv-download.ts';
import { describeError } from '../errors.ts';
import { usePoll } from '../hooks.ts';
import type { MessageKey } from '../i18n/ja.ts';
import { useT } from '../i18n/lang.ts';
import { minutesName } from '../minutes-name.ts';
import type { FieldError } from '../report-form.ts';
import { eachPath, errorsOf, serverErrorsOf } from '../secretariat-forms.ts';
import { currentFiscalYear, FiscalYearSelect } from './year-common.tsx';

type Activity = z.output<typeof activitySchema>;

/** The secretariat's activities of a fiscal year: the list, recording one, and their minutes. */
export function ActivitiesPage() {
  const t = useT();
  const [fy, setFy] = useState(currentFiscalYear);
  const polled = usePoll(() => apiCall<{ items: Activity[] }>('GET', `/activities?fy=${fy}`), [fy], false);
  // Those recorded on this page, as the API answered: the list may not show them yet.
  const [recorded, setRecorded] = useState<Activity[]>([]);
  const items = polled.data ? withRecorded(polled.data.items, recorded, fy) : undefined;
  return (
    <section>
      <PageHeading>{t('activities.title')}</PageHeading>
      <p>{t('activities.intro')}</p>
      <FiscalYearSelect id="activities-fy" value={fy} onChange={setFy} />
      {polled.error !== undefined && <Notice kind="error">{describeError(polled.error, t)}</Notice>}
      {!items ? (
        <p>{t('app.loading')}</p>
      ) : items.length === 0 ? (
        <p>{t('activities.empty', { fy })}</p>
      ) : (
        <ul class="rows" aria-label={t('activities.list', { fy })}>
          {items.map((a) => (
            <ActivityRow key={a.id} activity={a} />
          ))}
        </ul>
      )}
      <RecordActivity
        onRecorded={(activity) => {
          setRecorded((r) => [...r, activity]);
          const year = fiscalYearOfDate(activity.date);
          if (year !== fy) setFy(year);
          else void polled.reload();
        }}
      />
    </section>
  );
}

/** The list with the activities recorded here merged in (the newer version of each), in date order. */
function withRecorded(listed: readonly Activity[], recorded: readonly Activity[], fy: number): Activity[] {
  const byId = new Map(listed.map((a) => [a.id, a]));
  for (const a of recorded)
    if (fiscalYearOfDate(a.date) === fy && (byId.get(a.id)?.version ?? 0) < a.version) byId.set(a.id, a);
  const key = (a: Activity) => `${a.date}#${a.recordedAt}#${a.id}`;
  return [...byId.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const kindKey = (kind: Activity['kind']) => `activity.kind.${kind}` as MessageKey;

/** One activity: what, when, who, and its minutes (download each; attach another). */
function ActivityRow(props: { activity: Activity }) {
  const t = useT();
  const time = useFormatTime();
  const [fresh, setFresh] = useState<Activity | null>(null);
  // Whichever is newer: the list's row, or the activity as read after attaching minutes to it.
  const a = fresh && fresh.version > props.activity.version ? fresh : props.activity;
  const [problem, setProblem] = useState<string | null>(null);
  const [attached, setAttached] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fileId = `minutes-${a.id}`;
  const attach = async (file: File | undefined) => {
    if (!file) return;
    setProblem(null);
    setBusy(true);
    try {
      const added = await apiCall<{ filename: string }>(
        'POST',
        `/activities/${a.id}/minutes?filename=${encodeURIComponent(minutesName(file.name))}`,
        { raw: file, idempotencyKey: newIdempotencyKey() },
      );
      setAttached(t('activity.minutes.attached', { name: added.filename }));
      // The activity itself, read by its id (the list may not show the new file yet).
      setFresh(await apiCall<Activity>('GET', `/activities/${a.id}`));
    } catch (error) {
      setProblem(
        error instanceof ApiError && error.problem.status === 415
          ? t('activity.minutes.type')
          : error instanceof ApiError && error.problem.status === 413
            ? t('activity.minutes.tooLarge')
            : describeError(error, t),
      );
    } finally {
      setBusy(false);
    }
  };
  const download = async (n: number, filename: string) => {
    setProblem(null);
    try {
      saveBlob(await apiBlob(`/activities/${a.id}/minutes/${n}`, '*/*'), filename);
    } catch (error) {
      setProblem(describeError(error, t));
    }
  };
  const people = [...a.participants.organizations, ...a.participants.people];
  return (
    <li class="card activity-row" data-activity={a.id}>
      <div class="row-title">
        {a.date} · {a.title}
      </div>
      <div class="meta">
        <span class="badge">{t(kindKey(a.kind))}</span>
      </div>
      {people.length > 0 && (
        <div class="row-line">{t('activity.participants', { list: people.join('、') })}</div>
      )}
      {a.note && <div class="row-line">{a.note}</div>}
      {a.minutes.length > 0 && (
        <ul class="minutes" aria-label={t('activity.minutes')}>
          {a.minutes.map((m) => (
            <li key={m.n}>
              <button type="button" class="secondary small" onClick={() => void download(m.n, m.filename)}>
                {t('activity.minutes.download', { name: m.filename })}
              </button>{' '}
              <span class="hint">
                {t('activity.minutes.size', { kb: Math.max(1, Math.round(m.size / 1024)) })} ·{' '}
                {time(m.attachedAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <div class="field">
        <label for={fileId}>{t('activity.minutes.attach')}</label>
        <p class="hint" id={`${fileId}-hint`}>
          {t('activity.minutes.hint')}
        </p>
        <input
          type="file"
          id={fileId}
          aria-describedby={`${fileId}-hint`}
          accept=".pdf,.docx,.txt,application/pdf,text/plain,application/vnd.openxmlformats-officedocument.wordprocessingml.document"
          disabled={busy}
          onChange={(e) => {
            const input = e.currentTarget;
            void attach(input.files?.[0]).then(() => {
              input.value = '';
            });
          }}
        />
      </div>
      {busy && <p class="hint">{t('activity.minutes.sending')}</p>}
      {attached && <Notice kind="info">{attached}</Notice>}
      {problem && <Notice kind="error">{problem}</Notice>}
    </li>
  );
}

interface ActivityFields {
  date: string;
  kind: string;
  title: string;
  organizations: string;
  people: string;
  note: string;
}

const emptyActivity = (): ActivityFields => ({
  date: '',
  kind: 'wg-meeting',
  title: '',
  organizations: '',
  people: '',
  note: '',
});

const lines = (s: string) =>
  s
    .split(/[\n,、]/)
    .map((x) => x.trim())
    .filter((x) => x !== '');

const fieldOrder = [
  'date',
  'kind',
  'title',
  'participants.organizations',
  'participants.people',
  'note',
] as const;
const fieldLabel: Record<(typeof fieldOrder)[number], MessageKey> = {
  date: 'activity.date',
  kind: 'activity.kind',
  title: 'field.title',
  'participants.organizations': 'activity.organizations',
  'participants.people': 'activity.people',
  note: 'activity.note',
};
/** An error's path as the field that shows it (a participant's line → the participants box). */
const fieldOf = (path: string) => fieldOrder.find((f) => path === f || path.startsWith(`${f}.`));

/** POST /activities, checked with the API's own schema first. */
function RecordActivity(props: { onRecorded: (activity: Activity) => void }) {
  const t = useT();
  const [f, setF] = useState<ActivityFields>(emptyActivity);
  const [errors, setErrors] = useState<Record<string, FieldError>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  const id = (field: string) => `activity-${field.replaceAll('.', '-')}`;
  const err = (field: string) => {
    const e = errors[field];
    return e ? t(e.key, e.params) : undefined;
  };
  const set = (field: keyof ActivityFields, path: string, value: string) => {
    setF((x) => ({ ...x, [field]: value }));
    setErrors(({ [path]: _fixed, ...rest }) => rest);
  };
  const show = (raw: Record<string, FieldError>) => {
    const next: Record<string, FieldError> = {};
    for (const [path, e] of Object.entries(raw)) {
      const field = fieldOf(path);
      if (field) next[field] ??= e;
    }
    setErrors(next);
    setTimeout(() => summaryRef.current?.focus(), 0);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    setDone(null);
    const body = {
      date: f.date,
      kind: f.kind,
      title: f.title,
      participants: { organizations: lines(f.organizations), people: lines(f.people) },
      note: f.note,
    };
    const parsed = activityInputSchema().safeParse(body);
    if (!parsed.success) {
      const raw = errorsOf(parsed.error.issues, body, eachPath);
      if (raw.date && f.date !== '') raw.date = { key: 'activity.error.date' };
      return show(raw);
    }
    setErrors({});
    setBusy(true);
    try {
      const activity = await apiCall<Activity>('POST', '/activities', {
        body: parsed.data,
        idempotencyKey: newIdempotencyKey(),
      });
      setDone(t('activity.recorded', { title: f.title }));
      setF(emptyActivity());
      props.onRecorded(activity);
    } catch (error) {
      if (error instanceof ApiError && error.problem.status === 400 && error.problem.errors)
        show(serverErrorsOf(error.problem.errors, eachPath));
      else setProblem(describeError(error, t));
    } finally {
      setBusy(false);
    }
  };
  const summary = fieldOrder.flatMap((field) => {
    const e = err(field);
    return e ? [{ id: id(field), text: `${t(fieldLabel[field])}: ${e}` }] : [];
  });
  return (
    <section aria-labelledby="record-activity">
      <h2 id="record-activity">{t('activity.record')}</h2>
      {done && <Notice kind="info">{done}</Notice>}
      {problem && <Notice kind="error">{problem}</Notice>}
      <ErrorSummary
        title={t('report.errors', { n: summary.length })}
        items={summary}
        summaryRef={summaryRef}
      />
      <form class="card form" onSubmit={submit} noValidate>
        <div class="row">
          <FormField id={id('date')} label={t('activity.date')} error={err('date')} required>
            <input
              type="date"
              value={f.date}
              onInput={(e) => set('date', 'date', e.currentTarget.value)}
              {...fieldAria(id('date'), err('date'))}
            />
          </FormField>
          <FormField id={id('kind')} label={t('activity.kind')} error={err('kind')} required>
            <select
              value={f.kind}
              onChange={(e) => set('kind', 'kind', e.currentTarget.value)}
              {...fieldAria(id('kind'), err('kind'))}
            >
              {activityKinds.map((k) => (
                <option key={k} value={k}>
                  {t(kindKey(k))}
                </option>
              ))}
            </select>
          </FormField>
        </div>
        <FormField id={id('title')} label={t('field.title')} error={err('title')} required>
          <input
            type="text"
            maxLength={200}
            value={f.title}
            onInput={(e) => set('title', 'title', e.currentTarget.value)}
            {...fieldAria(id('title'), err('title'))}
          />
        </FormField>
        <div class="row">
          <FormField
            id={id('participants.organizations')}
            label={t('activity.organizations')}
            hint={t('activity.list.hint')}
            error={err('participants.organizations')}
          >
            <textarea
              rows={3}
              value={f.organizations}
              onInput={(e) => set('organizations', 'participants.organizations', e.currentTarget.value)}
              {...fieldAria(id('participants.organizations'), err('participants.organizations'), true)}
            />
          </FormField>
          <FormField
            id={id('participants.people')}
            label={t('activity.people')}
            hint={t('activity.list.hint')}
            error={err('participants.people')}
          >
            <textarea
              rows={3}
              value={f.people}
              onInput={(e) => set('people', 'participants.people', e.currentTarget.value)}
              {...fieldAria(id('participants.people'), err('participants.people'), true)}
            />
          </FormField>
        </div>
        <FormField id={id('note')} label={t('activity.note')} error={err('note')}>
          <textarea
            rows={3}
            value={f.note}
            onInput={(e) => set('note', 'note', e.currentTarget.value)}
            {...fieldAria(id('note'), err('note'))}
          />
        </FormField>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {t('activity.record')}
          </button>
        </div>
      </form>
    </section>
  );
}
