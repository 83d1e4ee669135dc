import { useState } from 'preact/hooks';
import type { TransmissionReport } from '../../../events/advisory/report.ts';
import { severities } from '../../../events/policy.ts';
import { ackCurve } from '../ack-chart.ts';
import { ApiError, apiCall, newIdempotencyKey, type Page } from '../api.ts';
import { AckChart } from '../components/ack-chart.tsx';
import { MoreButton } from '../components/advisory.tsx';
import {
  FieldErrorSummary,
  FormField,
  fieldAria,
  fieldId,
  TitleAndBodyFields,
  TlpSelectField,
  useFieldErrors,
} from '../components/form.tsx';
import { defaultSector, SectorChoice } from '../components/sector-choice.tsx';
import { AdvisoryStatusBadge, DrillMark, PageLoading, Updated } from '../components/status.tsx';
import { Link, Notice, PageHeading, TlpLabel, useFormatTime, useOrgName } from '../components/ui.tsx';
import { downloadCsv } from '../csv-download.ts';
import { describeError } from '../errors.ts';
import { flash } from '../flash.ts';
import { percent } from '../format.ts';
import { useNow, usePoll } from '../hooks.ts';
import { formatDuration } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/ja.ts';
import { lang, useT } from '../i18n/lang.ts';
import { loadPages } from '../paged.ts';
import { navigate } from '../router.ts';
import {
  type DrillFields,
  drillFieldOrder,
  drillServerErrors,
  emptyDrillFields,
  validateDrill,
} from '../secretariat-forms.ts';
import { type SectorRow, sectorName, useSectors } from '../sectors.ts';
import type { Session } from '../session.ts';
import { useStore } from '../store.ts';

type AdvisoryStatus = TransmissionReport['status'];

/** A row of GET /drills. */
interface DrillRow {
  readonly id: string;
  readonly sector: string;
  readonly title: string;
  readonly tlp: string;
  readonly status: AdvisoryStatus;
  readonly createdAt: string;
  readonly ackDueAt: string | null;
  readonly transmission: {
    recipients: number;
    acknowledged: number;
    withinWindow: number;
    rate: number;
  } | null;
}

/** The drills, newest first, and the form that starts one. */
export function DrillsPage(props: { session: Session }) {
  const t = useT();
  const time = useFormatTime();
  const [pages, setPages] = useState(1);
  const polled = usePoll(
    () =>
      loadPages<DrillRow>(
        (cursor) => `/drills?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        pages,
        (path) => apiCall<Page<DrillRow>>('GET', path),
      ),
    [pages],
  );
  const drills = polled.data?.items;
  // A caller of several sectors (NISC, a ministry) sees each row's sector: a drill in every sector is one row each.
  const current = useStore(lang);
  const sectorRows = useSectors().data?.items ?? [];
  const badgeOf = (id: string) => (sectorRows.length > 1 ? sectorName(sectorRows, id, current) : null);
  return (
    <section>
      <PageHeading>{t('drills.title')}</PageHeading>
      <p>{t('drills.intro')}</p>
      {polled.error !== undefined && <Notice kind="error">{describeError(polled.error, t)}</Notice>}
      <h2>{t('drills.list')}</h2>
      {!drills ? (
        <p>{t('app.loading')}</p>
      ) : drills.length === 0 ? (
        <p>{t('drills.empty')}</p>
      ) : (
        <>
          <Updated at={polled.loadedAt} live={true} />
          <ul class="rows" aria-label={t('drills.list')}>
            {drills.map((d) => (
              <li key={d.id} class="card drill-row">
                <div class="row-title">
                  <DrillMark /> <Link to={{ name: 'drill', id: d.id }}>{d.title}</Link>
                </div>
                <div class="meta">
                  {badgeOf(d.sector) && <span class="badge">{badgeOf(d.sector)}</span>}
                  <TlpLabel tlp={d.tlp} />
                  <AdvisoryStatusBadge status={d.status} />
                </div>
                <div class="row-line">
                  {t('drills.issued', { time: time(d.createdAt) })}
                  {d.ackDueAt && ` · ${t('drills.due', { time: time(d.ackDueAt) })}`}
                </div>
                <div class="row-line">
                  {d.transmission
                    ? t('drills.rate', {
                        rate: percent(d.transmission.rate),
                        n: d.transmission.withinWindow,
                        total: d.transmission.recipients,
                      })
                    : t('drills.notDistributed')}
                </div>
              </li>
            ))}
          </ul>
          <MoreButton more={polled.data?.more ?? false} onMore={() => setPages((n) => n + 1)} />
        </>
      )}
      {props.session.role !== 'auditor' && <StartDrill sectorRows={sectorRows} />}
    </section>
  );
}

const drillLabel: Record<(typeof drillFieldOrder)[number], MessageKey> = {
  title: 'field.title',
  body: 'field.body',
  tlp: 'field.tlp',
  severity: 'field.severity',
  ackWithinHours: 'field.ackWithinHours',
  sector: 'issue.field.sector',
  sectors: 'issue.field.sectors',
};

/** POST /drills, validated with the API's own schema before anything is sent. */
function StartDrill(props: { sectorRows: readonly SectorRow[] }) {
  const t = useT();
  const [fields, setFields] = useState<DrillFields>(emptyDrillFields);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [key] = useState(newIdempotencyKey);
  const { errors, setErrors, show: showErrors, text: err, summaryRef: summary } = useFieldErrors<string>();
  const set = <K extends keyof DrillFields>(name: K, value: DrillFields[K]) => {
    setFields((f) => ({ ...f, [name]: value }));
    setErrors(({ [name]: _fixed, ...rest }) => rest);
  };
  const { sectorRows } = props;
  // NISC and a ministry see several sectors: they choose where the drill goes, as on the advisory form.
  const spansSectors = sectorRows.length > 1;
  const oneSector = fields.sector || defaultSector(sectorRows);
  const id = (f: string) => fieldId('drill', f);

  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    const checked = validateDrill({ ...fields, sector: spansSectors ? oneSector : '' });
    if (!checked.ok) return showErrors(checked.errors);
    setErrors({});
    setBusy(true);
    try {
      const created = await apiCall<{ id: string; kind?: 'fork' }>('POST', '/drills', {
        body: checked.body,
        idempotencyKey: key,
      });
      flash.set({ key: 'drills.started' });
      // A drill in several sectors answers with its parent: its page shows each sector's chain and rate.
      navigate(
        created.kind === 'fork' ? { name: 'advisory', id: created.id } : { name: 'drill', id: created.id },
      );
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && error.problem.status === 400 && error.problem.errors) {
        showErrors(drillServerErrors(error.problem.errors));
      } else setProblem(describeError(error, t));
    }
  };

  return (
    <section aria-labelledby="start-drill">
      <h2 id="start-drill">{t('drills.start')}</h2>
      <p>{t('drills.startIntro')}</p>
      {problem && <Notice kind="error">{problem}</Notice>}
      <FieldErrorSummary
        summaryRef={summary}
        entries={drillFieldOrder.flatMap((f) => {
          const error = errors[f];
          return error ? [{ id: id(f), label: t(drillLabel[f]), error }] : [];
        })}
      />
      <form class="card form" onSubmit={submit} noValidate>
        <TitleAndBodyFields id={id} values={fields} error={err} onChange={set} bodyRows={5} />
        <div class="row">
          <TlpSelectField
            id={id('tlp')}
            value={fields.tlp}
            error={err('tlp')}
            onChange={(v) => set('tlp', v)}
          />
          <FormField
            id={id('severity')}
            label={t('field.severity')}
            hint={t('field.drillSeverity.hint')}
            error={err('severity')}
            required
          >
            <select
              value={fields.severity}
              onChange={(e) => set('severity', e.currentTarget.value)}
              {...fieldAria(id('severity'), err('severity'), true)}
            >
              {severities.map((s) => (
                <option key={s} value={s}>
                  {t(`severity.${s}`)}
                </option>
              ))}
            </select>
          </FormField>
        </div>
        <div class="row">
          <FormField
            id={id('ackWithinHours')}
            label={t('field.ackWithinHours')}
            hint={t('field.ackWithinHours.hint')}
            error={err('ackWithinHours')}
            required
          >
            <input
              type="number"
              inputMode="decimal"
              min={1}
              max={720}
              step="any"
              value={fields.ackWithinHours}
              onInput={(e) => set('ackWithinHours', e.currentTarget.value)}
              {...fieldAria(id('ackWithinHours'), err('ackWithinHours'), true)}
            />
          </FormField>
          <div class="field">
            <span class="label">{t('field.audience')}</span>
            <span>{t('field.audience.all')}</span>
          </div>
        </div>
        {spansSectors && (
          <SectorChoice
            id={id('sectors')}
            sectorId={id('sector')}
            name="drillSectors"
            rows={sectorRows}
            mode={fields.sectorMode}
            onMode={(mode) => set('sectorMode', mode)}
            sector={oneSector}
            onSector={(sector) => set('sector', sector)}
            sectors={fields.sectors}
            onSectors={(sectors) => set('sectors', sectors)}
            error={err('sectors')}
            sectorError={err('sector')}
          />
        )}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t('drills.starting') : t('drills.start')}
          </button>
        </div>
      </form>
    </section>
  );
}

/** GET /drills/{id}/report: the rate within the window, per stage and per recipient, and the chart. */
export function DrillReportPage(props: { id: string }) {
  const t = useT();
  // Deliveries and acknowledgements often fall within one minute: the seconds tell them apart.
  const time = useFormatTime({ seconds: true });
  const orgName = useOrgName();
  const now = useNow(5000);
  const message = useStore(flash);
  const path = `/drills/${encodeURIComponent(props.id)}/report`;
  const [live, setLive] = useState(true);
  const polled = usePoll(
    async () => {
      const report = await apiCall<TransmissionReport>('GET', path);
      setLive(report.status !== 'closed');
      return report;
    },
    [path],
    live,
  );
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const report = polled.data;
  if (!report) {
    return <PageLoading title={t('drills.title')} error={polled.error} />;
  }
  const heading = t('drill.title', { title: report.title });
  const curve = ackCurve(report, now);
  const yesNo = (b: boolean) => t(b ? 'drill.yes' : 'drill.no');
  const download = async () => {
    setDownloadError(null);
    try {
      await downloadCsv(path, `drill-${props.id}.csv`);
    } catch (error) {
      setDownloadError(describeError(error, t));
    }
  };
  return (
    <section>
      <PageHeading>{report.drill ? `${t('drill.mark')} ${heading}` : heading}</PageHeading>
      {message && <Notice kind="info">{t(message.key, message.params)}</Notice>}
      <div class="meta">
        {report.drill && <DrillMark />}
        <TlpLabel tlp={report.tlp} />
        <AdvisoryStatusBadge status={report.status} />
      </div>
      <Updated at={polled.loadedAt} live={live} />
      {report.distributedAt && report.ackDueAt ? (
        <p>
          {t('drill.window', {
            from: time(report.distributedAt),
            to: time(report.ackDueAt),
            hours: report.windowHours,
          })}
        </p>
      ) : (
        <p>{t('drill.notDistributed')}</p>
      )}
      <div class="card overall" aria-live="polite">
        <h2>{t('drill.overall')}</h2>
        <p class="big">{percent(report.overall.rate)}</p>
        <p>
          {t('drill.overall.value', {
            rate: percent(report.overall.rate),
            n: report.overall.acknowledgedWithinWindow,
            total: report.overall.recipients,
          })}
        </p>
      </div>
      {curve && <AckChart curve={curve} withinWindow={report.overall.acknowledgedWithinWindow} />}
      <h2>{t('drill.stages')}</h2>
      <div class="table-wrap">
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{t('drill.col.stage')}</th>
              <th scope="col">{t('drill.col.expected')}</th>
              <th scope="col">{t('drill.col.within')}</th>
              <th scope="col">{t('drill.col.rate')}</th>
            </tr>
          </thead>
          <tbody>
            {report.stages.map((s) => (
              <tr key={s.stage}>
                <th scope="row">{t(`drill.stage.${s.stage}`)}</th>
                <td>{s.expected}</td>
                <td>{s.withinDeadline}</td>
                <td>{percent(s.rate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>{t('drill.recipients')}</h2>
      <div class="table-wrap">
        <table class="data recipients">
          <thead>
            <tr>
              <th scope="col">{t('drill.col.org')}</th>
              <th scope="col">{t('drill.col.delivered')}</th>
              <th scope="col">{t('drill.col.acknowledged')}</th>
              <th scope="col">{t('drill.col.timeToAck')}</th>
              <th scope="col">{t('drill.col.withinWindow')}</th>
              <th scope="col">{t('drill.col.reminded')}</th>
              <th scope="col">{t('drill.col.missed')}</th>
            </tr>
          </thead>
          <tbody>
            {report.recipients.map((r) => (
              <tr key={r.org} data-org={r.org}>
                <th scope="row">{orgName(r.org)}</th>
                <td>
                  {r.deliveredAt ? time(r.deliveredAt) : t('drill.none')}
                  {r.channel ? ` (${t(`channel.${r.channel}` as MessageKey)})` : ''}
                </td>
                <td>{r.acknowledgedAt ? time(r.acknowledgedAt) : t('drill.none')}</td>
                <td class="time-to-ack">
                  {r.secondsToAcknowledge === null
                    ? t('drill.none')
                    : formatDuration(r.secondsToAcknowledge * 1000, t)}
                </td>
                <td>{yesNo(r.withinWindow)}</td>
                <td>{yesNo(r.reminded)}</td>
                <td class={r.missed ? 'missed' : undefined}>{yesNo(r.missed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {downloadError && <Notice kind="error">{downloadError}</Notice>}
      <div class="actions">
        <button type="button" class="secondary" onClick={() => void download()}>
          {t('drill.csv')}
        </button>
      </div>
      <p>
        <Link to={{ name: 'drills' }}>{t('drill.back')}</Link>
      </p>
    </section>
  );
}
