import type { ForkAdvisoryView } from '../advisory-api.ts';
import { useDrillTitle } from '../components/advisory.tsx';
import { AdvisoryStatusBadge, DrillMark } from '../components/status.tsx';
import { Link, Notice, PageHeading, SeverityBadge, TlpLabel, useFormatTime } from '../components/ui.tsx';
import { flash } from '../flash.ts';
import { percent } from '../format.ts';
import { lang, useT } from '../i18n/lang.ts';
import { sectorName, useSectors } from '../sectors.ts';
import { useStore } from '../store.ts';

/**
 * An advisory to several sectors (GET /advisories/{id} of kind `fork`): its text, then each sector's chain
 * as the caller may see it (forwarded by the ministry and the secretariat when, distributed, the
 * transmission within the window and within one day, as drills count it), and the same figures over
 * those sectors together. Each sector's row opens that sector's advisory.
 */
export function ForkPage(props: { fork: ForkAdvisoryView }) {
  const t = useT();
  const time = useFormatTime();
  const current = useStore(lang);
  const drillTitle = useDrillTitle();
  const message = useStore(flash);
  const sectors = useSectors();
  const nameOf = (id: string) => sectorName(sectors.data?.items, id, current);
  const { fork } = props;
  const o = fork.overall;
  return (
    <section>
      <PageHeading>{drillTitle(fork.title, fork.drill)}</PageHeading>
      {message && <Notice kind="info">{t(message.key, message.params)}</Notice>}
      {fork.drill && <p class="drill-notice">{t('advisories.drillNotice')}</p>}
      <div class="meta">
        <DrillMark drill={fork.drill} />
        <TlpLabel tlp={fork.tlp} />
        <SeverityBadge severity={fork.severity} />
        <span class="badge">{t('advisories.issuedBy', { role: t(`role.${fork.issuerRole}`) })}</span>
        <span class="badge">{t('fork.toSectors', { n: fork.sectors.length })}</span>
      </div>
      <h2>{t('advisory.body')}</h2>
      <div class="card">
        <p class="prose">{fork.body}</p>
      </div>
      <h2 id="fork-overall-title">{t('fork.overall')}</h2>
      <p class="rate card" aria-live="polite" data-testid="fork-overall">
        {t('fork.overall.line', {
          distributed: o.distributed,
          sectors: o.sectors,
          rate: percent(o.rate),
          within: o.withinWindow,
          total: o.recipients,
          oneDay: percent(o.oneDayRate),
        })}
      </p>
      <h2 id="fork-sectors-title">{t('fork.sectors')}</h2>
      <table class="recipients" aria-labelledby="fork-sectors-title">
        <thead>
          <tr>
            <th scope="col">{t('fork.col.sector')}</th>
            <th scope="col">{t('fork.col.status')}</th>
            <th scope="col">{t('fork.col.ministry')}</th>
            <th scope="col">{t('fork.col.secretariat')}</th>
            <th scope="col">{t('fork.col.recipients')}</th>
            <th scope="col">{t('fork.col.rate')}</th>
            <th scope="col">{t('fork.col.oneDay')}</th>
          </tr>
        </thead>
        <tbody>
          {fork.children.map((c) => (
            <tr key={c.sector} data-sector={c.sector}>
              <th scope="row">
                {c.status === 'pending' ? (
                  nameOf(c.sector)
                ) : (
                  <Link to={{ name: 'advisory', id: c.advisoryId }}>{nameOf(c.sector)}</Link>
                )}
              </th>
              <td data-label={t('fork.col.status')}>
                {c.status === 'pending' ? (
                  <span class="badge status">{t('fork.pending')}</span>
                ) : (
                  <AdvisoryStatusBadge status={c.status} />
                )}
                {c.stalledHop && <span class="badge escalation">{t('advisories.stalled')}</span>}
              </td>
              <td data-label={t('fork.col.ministry')}>
                {c.forwarded.ministry ? time(c.forwarded.ministry) : t('advisory.notYet')}
              </td>
              <td data-label={t('fork.col.secretariat')}>
                {c.forwarded.secretariat ? time(c.forwarded.secretariat) : t('advisory.notYet')}
              </td>
              <td data-label={t('fork.col.recipients')}>
                {c.distributedAt
                  ? t('fork.recipients', { acknowledged: c.acknowledged, total: c.recipients })
                  : '—'}
              </td>
              <td data-label={t('fork.col.rate')}>{c.distributedAt ? percent(c.rate) : '—'}</td>
              <td data-label={t('fork.col.oneDay')}>{c.distributedAt ? percent(c.oneDayRate) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <Link to={{ name: 'advisories' }}>{t('advisory.back')}</Link>
      </p>
    </section>
  );
}
