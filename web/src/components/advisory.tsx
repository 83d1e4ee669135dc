import type { AdvisoryStatus } from '../../../events/advisory/advisory.ts';
import { useT } from '../i18n/lang.ts';

/** 【訓練】 / DRILL: every place that shows a drill says so. */
export function DrillMark(props: { drill: boolean }) {
  const t = useT();
  return props.drill ? <span class="badge drill">{t('advisories.drill')}</span> : null;
}

export function AdvisoryStatusBadge(props: { status: AdvisoryStatus }) {
  const t = useT();
  return (
    <span class={`badge status advisory-status-${props.status}`}>{t(`advisoryStatus.${props.status}`)}</span>
  );
}

/** A heading's text: the drill mark first, so the page title and a screen reader say it too. */
export function useDrillTitle(): (title: string, drill: boolean) => string {
  const t = useT();
  return (title, drill) => (drill ? `${t('advisories.drill')} ${title}` : title);
}

/** The "more" button under a paged list. */
export function MoreButton(props: { more: boolean; onMore: () => void }) {
  const t = useT();
  return props.more ? (
    <div class="actions">
      <button type="button" class="secondary" onClick={props.onMore}>
        {t('advisories.more')}
      </button>
    </div>
  ) : null;
}
