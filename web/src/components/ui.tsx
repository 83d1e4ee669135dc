import type { ComponentChildren, TargetedMouseEvent } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { IncidentView } from '../api.ts';
import { useBrand } from '../brand.ts';
import { dateFormat } from '../date-format.ts';
import { formatTimeLeft } from '../i18n/index.ts';
import { lang, useT } from '../i18n/lang.ts';
import { navigate, pathOf, type Route } from '../router.ts';
import { createStore, useStore } from '../store.ts';

/** An in-app link: a real <a href> (open in a new tab works), navigating without a page load on a plain click. */
export function Link(props: {
  to: Route;
  children: ComponentChildren;
  class?: string;
  'aria-current'?: 'page' | 'true' | undefined;
}) {
  const onClick = (e: TargetedMouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={pathOf(props.to)} onClick={onClick} class={props.class} aria-current={props['aria-current']}>
      {props.children}
    </a>
  );
}

/**
 * The page's heading. It takes the focus when the page opens, so a screen reader announces the new page
 * and the next Tab starts from the top of its content; the document title follows it.
 */
export function PageHeading(props: { children: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const brand = useBrand();
  useEffect(() => {
    document.title = `${props.children} | ${brand}`;
  });
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {props.children}
    </h1>
  );
}

/** A FIRST TLP 2.0 label: the coloured text on black, as FIRST prints it. */
export function TlpLabel(props: { tlp: string }) {
  const t = useT();
  const cls = props.tlp.toLowerCase().replace('+', '-');
  const meaning = (['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const).find((x) => x === props.tlp);
  return (
    <span class={`tlp tlp-${cls}`} title={meaning ? t(`tlp.${meaning}`) : undefined}>
      TLP:{props.tlp}
    </span>
  );
}

export function SeverityBadge(props: { severity: 'critical' | 'high' | 'medium' | 'low' }) {
  const t = useT();
  return (
    <span class={`badge severity-${props.severity}`}>
      {t('field.severity')}: {t(`severity.${props.severity}`)}
    </span>
  );
}

export function StatusBadge(props: { status: IncidentView['status'] }) {
  const t = useT();
  return <span class={`badge status status-${props.status}`}>{t(`status.${props.status}`)}</span>;
}

/** A date and time in the reader's language and time zone, with the zone named. */
export function useFormatTime(options: { seconds?: boolean } = {}): (iso: string) => string {
  const current = useStore(lang);
  const format = dateFormat(current, options.seconds ? 'localSeconds' : 'local');
  return (iso) => format.format(new Date(iso));
}

/** "残り 3時間12分" or "5分 超過", recomputed from `now` (re-rendered every second by the page). */
export function TimeLeft(props: { dueAt: string; now: number }) {
  const t = useT();
  const { text, overdue } = formatTimeLeft(props.dueAt, props.now, t);
  return <span class={overdue ? 'time-left overdue' : 'time-left'}>{text}</span>;
}

/** A message the page shows after an action: polite for news, assertive for errors. */
export function Notice(props: { kind: 'info' | 'error'; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

/** Organisation id → its name in the current language (config.json's, then the directory's as the API lists it). */
export function useOrgName(): (id: string) => string {
  const current = useStore(lang);
  const names = useStore(orgNames);
  return (id) => names.get(id)?.[current] ?? id;
}

type Names = ReadonlyMap<string, { readonly ja: string; readonly en: string }>;
/** The organisations' names the console knows: config.json's at start, the directory's after sign-in. */
const orgNames = createStore<Names>(new Map());
/** Adds names (a later list wins for an id it names again); pages naming organisations re-render. */
export const setOrganisations = (list: readonly { id: string; name: { ja: string; en: string } }[]) => {
  if (list.length === 0) return;
  orgNames.set(new Map([...orgNames.get(), ...list.map((o) => [o.id, o.name] as const)]));
};
