import { useState } from 'preact/hooks';
import { type AdvisoryRow, type DrillFilter, type ForkRow, loadAdvisoryLists } from '../advisory-api.ts';
import { groupByFork } from '../advisory-groups.ts';
import { MoreButton } from '../components/advisory.tsx';
import { AdvisoryStatusBadge, DrillMark, Updated } from '../components/status.tsx';
import {
  Link,
  Notice,
  PageHeading,
  SeverityBadge,
  TimeLeft,
  TlpLabel,
  useFormatTime,
} from '../components/ui.tsx';
import { describeError } from '../errors.ts';
import { percent } from '../format.ts';
import { useNow, usePoll } from '../hooks.ts';
import { lang, useT } from '../i18n/lang.ts';
import { sectorName, useSectors } from '../sectors.ts';
import { issuerRoles, type Session } from '../session.ts';
import { useStore } from '../store.ts';

const dueOf = (r: AdvisoryRow) =>
  r.awaiting?.dueAt ? Date.parse(r.awaiting.dueAt) : Number.POSITIVE_INFINITY;

/**
 * GET /advisories: what awaits this person first (the chain: its forward; a member: its organisation's
 * acknowledgement), all of it however old (`?awaiting=true`), nearest deadline first; then the rest
 * newest first, page by page; re-read every pollSeconds. For a caller of several sectors (NISC, a
 * ministry), the rest shows an advisory to several sectors as one row (GET /advisories `forks`) with
 * its sectors' advisories under it.
 */
export function AdvisoriesPage(props: { session: Session }) {
  const t = useT();
  const now = useNow();
  const { role } = props.session;
  const [pages, setPages] = useState(1);
  const [drill, setDrill] = useState<DrillFilter>('all');
  const polled = usePoll(() => loadAdvisoryLists(pages, drill), [pages, drill]);
  const data = polled.data;
  const awaiting = [...(data?.awaiting ?? [])].sort((a, b) => dueOf(a) - dueOf(b));
  const others = data?.others ?? [];
  const action = role === 'member' ? 'acknowledge' : 'forward';
  // NISC issues but never forwards; auditors only read.
  const acts = role === 'member' || role === 'ministry' || role === 'secretariat';
  const intro =
    role === 'member'
      ? 'advisories.intro.member'
      : acts
        ? 'advisories.intro.chain'
        : role === 'nisc'
          ? 'advisories.intro.nisc'
          : 'board.intro';
  return (
    <section>
      <PageHeading>{t('advisories.title')}</PageHeading>
      <p>{t(intro)}</p>
      {issuerRoles.includes(role) && (
        <p>
          <Link to={{ name: 'issueAdvisory' }} class="button-link">
            {t('advisories.issue')}
          </Link>
        </p>
      )}
      <div class="field inline-field">
        <label for="advisories-drill">{t('advisories.filter')}</label>
        <select
          id="advisories-drill"
          value={drill}
          onChange={(e) => {
            setDrill(e.currentTarget.value as DrillFilter);
            setPages(1);
          }}
        >
          <option value="all">{t('advisories.filter.all')}</option>
          <option value="real">{t('advisories.filter.real')}</option>
          <option value="drill">{t('advisories.filter.drill')}</option>
        </select>
      </div>
      {polled.error !== undefined && <Notice kind="error">{describeError(polled.error, t)}</Notice>}
      {!data ? (
        <p>{t('app.loading')}</p>
      ) : (
        <>
          <Updated at={polled.loadedAt} />
          {acts && (
            <>
              <h2>{t(`advisories.awaiting.${action}`)}</h2>
              {awaiting.length === 0 ? (
                <p>
                  {t(
                    action === 'forward'
                      ? 'advisories.awaiting.emptyForward'
                      : 'advisories.awaiting.emptyAcknowledge',
                  )}
                </p>
              ) : (
                <AdvisoryRows items={awaiting} now={now} label={t(`advisories.awaiting.${action}`)} />
              )}
              <h2>{t('advisories.others')}</h2>
            </>
          )}
          {others.length === 0 ? (
            <p>{t('advisories.empty')}</p>
          ) : (
            <AdvisoryRows
              items={others}
              forks={data.forks}
              now={now}
              label={t(acts ? 'advisories.others' : 'advisories.title')}
            />
          )}
          <MoreButton more={data.more} onMore={() => setPages((n) => n + 1)} />
        </>
      )}
    </section>
  );
}

function AdvisoryRows(props: {
  items: AdvisoryRow[];
  forks?: ReadonlyMap<string, ForkRow>;
  now: number;
  label: string;
}) {
  const entries = groupByFork(props.items, props.forks ?? new Map());
  return (
    <ul class="rows" aria-label={props.label}>
      {entries.map((e) =>
        e.kind === 'fork' ? (
          <ForkRowCard key={e.fork.id} fork={e.fork} rows={e.children} now={props.now} />
        ) : (
          <AdvisoryRowCard key={e.row.id} row={e.row} now={props.now} />
        ),
      )}
    </ul>
  );
}

/** An advisory to several sectors: one row opening its overall transmission, its sectors' advisories under it. */
function ForkRowCard(props: { fork: ForkRow; rows: readonly AdvisoryRow[]; now: number }) {
  const t = useT();
  const time = useFormatTime();
  const current = useStore(lang);
  const sectors = useSectors();
  const nameOf = (id: string) => sectorName(sectors.data?.items, id, current);
  const { fork, rows, now } = props;
  return (
    <li class="card advisory-row fork-row" data-fork={fork.id}>
      <div class="row-title">
        <Link to={{ name: 'advisory', id: fork.id }}>{fork.title}</Link>
      </div>
      <div class="meta">
        <DrillMark drill={fork.drill} />
        <TlpLabel tlp={fork.tlp} />
        <SeverityBadge severity={fork.severity} />
        <span class="badge">{t('fork.toSectors', { n: fork.sectors.length })}</span>
      </div>
      <div class="row-line">
        {t('advisories.issuedAt', { time: time(fork.createdAt) })} ·{' '}
        {t('advisories.issuedBy', { role: t(`role.${fork.issuerRole}`) })}
      </div>
      <div class="row-line">
        {t('fork.listLine', {
          distributed: fork.overall.distributed,
          sectors: fork.overall.sectors,
          recipients: fork.overall.recipients,
        })}
      </div>
      <ul class="rows fork-children" aria-label={t('fork.sectors')}>
        {rows.map((r) => (
          <AdvisoryRowCard key={r.id} row={r} now={now} sectorName={nameOf(r.sector)} />
        ))}
      </ul>
    </li>
  );
}

/** One advisory: its labels, who issued it when, and this person's part in it with deadlines. */
function AdvisoryRowCard(props: { row: AdvisoryRow; now: number; sectorName?: string }) {
  const t = useT();
  const time = useFormatTime();
  const { row, now, sectorName } = props;
  return (
    <li class="card advisory-row">
      <div class="row-title">
        <Link to={{ name: 'advisory', id: row.id }}>{sectorName ?? row.title}</Link>
      </div>
      <div class="meta">
        <DrillMark drill={row.drill} />
        <TlpLabel tlp={row.tlp} />
        <AdvisoryStatusBadge status={row.status} />
        <SeverityBadge severity={row.severity} />
        {row.view === 'chain' && row.pending && row.pending.escalations > 0 && (
          <span class="badge escalation">{t('hop.escalations', { n: row.pending.escalations })}</span>
        )}
        {row.view === 'chain' && row.stalledHop && (
          <span class="badge escalation">{t('advisories.stalled')}</span>
        )}
      </div>
      <div class="row-line">
        {t('advisories.issuedAt', { time: time(row.createdAt) })} ·{' '}
        {t('advisories.issuedBy', { role: t(`role.${row.issuerRole}`) })}
      </div>
      {row.view === 'chain' ? <ChainLines row={row} now={now} /> : <MemberLines row={row} now={now} />}
    </li>
  );
}

function ChainLines(props: { row: Extract<AdvisoryRow, { view: 'chain' }>; now: number }) {
  const t = useT();
  const time = useFormatTime();
  const { row, now } = props;
  return (
    <>
      {row.pending?.dueAt && (
        <div class="row-line">
          {t(`advisoryHop.${row.pending.hop}`)}: {t('hop.due', { time: time(row.pending.dueAt) })} ·{' '}
          <TimeLeft dueAt={row.pending.dueAt} now={now} />
        </div>
      )}
      {row.distributedAt && (
        <div class="row-line">
          {t('advisories.recipients', { n: row.recipients })}
          {row.status === 'distributed' && row.ackDueAt && (
            <>
              {' '}
              · {t('advisories.ackDue', { time: time(row.ackDueAt) })} ·{' '}
              <TimeLeft dueAt={row.ackDueAt} now={now} />
            </>
          )}
        </div>
      )}
      {row.closedWindow ? (
        <div class="row-line">
          {t('advisories.closedRate', {
            acknowledged: row.closedWindow.acknowledged,
            total: row.recipients,
            rate: percent(row.closedWindow.rate),
          })}
        </div>
      ) : (
        row.status === 'distributed' && <div class="row-line">{t('advisories.rateInDetail')}</div>
      )}
    </>
  );
}

function MemberLines(props: { row: Extract<AdvisoryRow, { view: 'member' }>; now: number }) {
  const t = useT();
  const time = useFormatTime();
  const { row, now } = props;
  if (!row.recipient) return <div class="row-line">{t('advisories.notRecipient')}</div>;
  return (
    <>
      {row.awaiting?.dueAt && (
        <div class="row-line">
          {t('advisories.ackDue', { time: time(row.awaiting.dueAt) })} ·{' '}
          <TimeLeft dueAt={row.awaiting.dueAt} now={now} />
        </div>
      )}
      {row.acknowledgedAt && (
        <div class="row-line">{t('advisories.acknowledgedAt', { time: time(row.acknowledgedAt) })}</div>
      )}
      {row.missed && <div class="row-line overdue-text">{t('advisories.missed')}</div>}
    </>
  );
}
