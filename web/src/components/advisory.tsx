import { useT } from '../i18n/lang.ts';

/** A heading's text: the drill mark first, so the page title and a screen reader say it too. */
export function useDrillTitle(): (title: string, drill: boolean) => string {
  const t = useT();
  return (title, drill) => (drill ? `${t('drill.mark')} ${title}` : title);
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
