import { useState } from 'preact/hooks';
import { type AdvisoryView, type BoardRow, loadBoard, loadPublicBoard } from '../advisory-api.ts';
import { configStore } from '../api.ts';
import { MoreButton, useDrillTitle } from '../components/advisory.tsx';
import { AdvisoryStatusBadge, DrillMark, Updated } from '../components/status.tsx';
import { Link, Notice, PageHeading, TlpLabel, useFormatTime } from '../components/ui.tsx';
import { describeError } from '../errors.ts';
import { usePoll } from '../hooks.ts';
import { useT } from '../i18n/lang.ts';
import { pathOf } from '../router.ts';
import { useStore } from '../store.ts';

/** One board row's labels and dates. */
function BoardMeta(props: { row: BoardRow | AdvisoryView }) {
  const t = useT();
  const time = useFormatTime();
  const { row } = props;
  return (
    <>
      <div class="meta">
        <DrillMark drill={row.drill} />
        <TlpLabel tlp={row.tlp} />
        <AdvisoryStatusBadge status={row.status} />
      </div>
      <div class="row-line">
        {t('advisories.issuedAt', { time: time(row.createdAt) })} ·{' '}
        {t('advisories.issuedBy', { role: t(`role.${row.issuerRole}`) })}
      </div>
    </>
  );
}

/** GET /board: the electronic bulletin board, newest first, page by page ("more"). */
export function BoardPage() {
  const t = useT();
  const [pages, setPages] = useState(1);
  const polled = usePoll(() => loadBoard(pages), [pages]);
  const data = polled.data;
  return (
    <section>
      <PageHeading>{t('board.title')}</PageHeading>
      <p>{t('board.intro')}</p>
      <p>
        {/* A plain link: the public board is for people without a sign-in, and may be shared as is. */}
        <a href={pathOf({ name: 'publicBoard' })}>{t('board.publicLink')}</a>
      </p>
      {polled.error !== undefined && <Notice kind="error">{describeError(polled.error, t)}</Notice>}
      {!data ? (
        <p>{t('app.loading')}</p>
      ) : (
        <>
          <Updated at={polled.loadedAt} />
          {data.items.length === 0 ? (
            <p>{t('advisories.empty')}</p>
          ) : (
            <ul class="rows board" aria-label={t('board.title')}>
              {data.items.map((row) => (
                <li key={row.id} class="card board-row">
                  <div class="row-title">
                    <Link to={{ name: 'advisory', id: row.id }}>{row.title}</Link>
                  </div>
                  <BoardMeta row={row} />
                </li>
              ))}
            </ul>
          )}
          <MoreButton more={data.more} onMore={() => setPages((n) => n + 1)} />
        </>
      )}
    </section>
  );
}

/** GET /public/board, without a sign-in: the TLP:CLEAR advisories with their text. */
export function PublicBoardPage() {
  const t = useT();
  const drillTitle = useDrillTitle();
  const config = useStore(configStore);
  const [pages, setPages] = useState(1);
  const polled = usePoll(() => loadPublicBoard(config?.apiUrl ?? '', pages), [pages, config]);
  const data = polled.data;
  return (
    <section>
      <PageHeading>{t('board.public.title')}</PageHeading>
      <p>{t('board.public.intro')}</p>
      <p>
        <Link to={{ name: 'signIn' }}>{t('board.signIn')}</Link>
      </p>
      {polled.error !== undefined && <Notice kind="error">{describeError(polled.error, t)}</Notice>}
      {!data ? (
        <p>{t('app.loading')}</p>
      ) : data.items.length === 0 ? (
        <p>{t('advisories.empty')}</p>
      ) : (
        <>
          <ul class="rows board" aria-label={t('board.public.title')}>
            {data.items.map((row) => (
              <li key={row.id} class="card board-row">
                <h2 class="row-title">{drillTitle(row.title, row.drill)}</h2>
                <BoardMeta row={row} />
                <p class="prose">{row.body}</p>
              </li>
            ))}
          </ul>
          <MoreButton more={data.more} onMore={() => setPages((n) => n + 1)} />
        </>
      )}
    </section>
  );
}
