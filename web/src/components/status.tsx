import type { AdvisoryStatus } from '../../../events/advisory/advisory.ts';
import { describeError } from '../errors.ts';
import { useT } from '../i18n/lang.ts';
import { Notice, PageHeading, useFormatTime } from './ui.tsx';

/** 【訓練】 / [DRILL]: on every page that shows a drill. */
export function DrillMark(props: { drill?: boolean }) {
  const t = useT();
  return props.drill === false ? null : <span class="badge drill-mark">{t('drill.mark')}</span>;
}

/** Where an advisory (a drill, a contact check) stands. */
export function AdvisoryStatusBadge(props: { status: AdvisoryStatus }) {
  const t = useT();
  return (
    <span class={`badge status advisory-status-${props.status}`}>{t(`advisoryStatus.${props.status}`)}</span>
  );
}

/** When the page last read the API, and whether it keeps doing so. */
export function Updated(props: { at: number | undefined; live?: boolean }) {
  const t = useT();
  const time = useFormatTime();
  return props.at ? (
    <p class="updated">
      {t('app.updated', { time: time(new Date(props.at).toISOString()) })}
      {props.live === false ? '' : ` · ${t('app.liveUpdate')}`}
    </p>
  ) : null;
}

/** A page whose data has not come (yet): its heading, and the error or "loading". */
export function PageLoading(props: { title: string; error: unknown }) {
  const t = useT();
  return (
    <section>
      <PageHeading>{props.title}</PageHeading>
      {props.error ? (
        <Notice kind="error">{describeError(props.error, t)}</Notice>
      ) : (
        <p>{t('app.loading')}</p>
      )}
    </section>
  );
}
