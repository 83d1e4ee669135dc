// The console's routes as pure functions of a path (no DOM), so they can be tested anywhere.

export type Route =
  | { readonly name: 'home' }
  | { readonly name: 'signIn' }
  | { readonly name: 'callback' }
  | { readonly name: 'report' }
  | { readonly name: 'incidents' }
  | { readonly name: 'incident'; readonly id: string }
  | { readonly name: 'events'; readonly id: string }
  | { readonly name: 'queue' }
  | { readonly name: 'inbox' }
  | { readonly name: 'audit' }
  | { readonly name: 'auditStream'; readonly id: string }
  | { readonly name: 'auditCompliance' }
  | { readonly name: 'drills' }
  | { readonly name: 'drill'; readonly id: string }
  | { readonly name: 'exercises' }
  | { readonly name: 'exercise'; readonly id: string }
  | { readonly name: 'directory' }
  | { readonly name: 'organization'; readonly org: string }
  | { readonly name: 'share'; readonly id: string }
  | { readonly name: 'contactCheck'; readonly id: string }
  | { readonly name: 'advisories' }
  | { readonly name: 'issueAdvisory' }
  | { readonly name: 'advisory'; readonly id: string }
  | { readonly name: 'board' }
  | { readonly name: 'publicBoard' }
  | { readonly name: 'apiReference' }
  | { readonly name: 'surveys' }
  | { readonly name: 'newSurvey' }
  | { readonly name: 'editSurvey'; readonly id: string }
  | { readonly name: 'survey'; readonly id: string }
  | { readonly name: 'surveyResults'; readonly id: string }
  | { readonly name: 'activities' }
  | { readonly name: 'annualReport' }
  | { readonly name: 'plan'; readonly sector: string; readonly fy: string }
  | { readonly name: 'notFound' };

export const BASE = '/app';

const ID = '([^/]+)';
const table: [RegExp, (m: RegExpExecArray) => Route][] = [
  [/^\/?$/, () => ({ name: 'home' })],
  [/^\/sign-in$/, () => ({ name: 'signIn' })],
  [/^\/auth\/callback$/, () => ({ name: 'callback' })],
  [/^\/report$/, () => ({ name: 'report' })],
  [/^\/incidents$/, () => ({ name: 'incidents' })],
  [new RegExp(`^/incidents/${ID}$`), (m) => ({ name: 'incident', id: decodeURIComponent(m[1] ?? '') })],
  [new RegExp(`^/incidents/${ID}/events$`), (m) => ({ name: 'events', id: decodeURIComponent(m[1] ?? '') })],
  [/^\/queue$/, () => ({ name: 'queue' })],
  [/^\/inbox$/, () => ({ name: 'inbox' })],
  [/^\/audit$/, () => ({ name: 'audit' })],
  [
    new RegExp(`^/audit/streams/${ID}$`),
    (m) => ({ name: 'auditStream', id: decodeURIComponent(m[1] ?? '') }),
  ],
  [/^\/audit\/compliance$/, () => ({ name: 'auditCompliance' })],
  [/^\/drills$/, () => ({ name: 'drills' })],
  [new RegExp(`^/drills/${ID}$`), (m) => ({ name: 'drill', id: decodeURIComponent(m[1] ?? '') })],
  [/^\/exercises$/, () => ({ name: 'exercises' })],
  [new RegExp(`^/exercises/${ID}$`), (m) => ({ name: 'exercise', id: decodeURIComponent(m[1] ?? '') })],
  [/^\/directory$/, () => ({ name: 'directory' })],
  [new RegExp(`^/directory/${ID}$`), (m) => ({ name: 'organization', org: decodeURIComponent(m[1] ?? '') })],
  [new RegExp(`^/incidents/${ID}/share$`), (m) => ({ name: 'share', id: decodeURIComponent(m[1] ?? '') })],
  [
    new RegExp(`^/contact-checks/${ID}$`),
    (m) => ({ name: 'contactCheck', id: decodeURIComponent(m[1] ?? '') }),
  ],
  [/^\/advisories$/, () => ({ name: 'advisories' })],
  [/^\/advisories\/new$/, () => ({ name: 'issueAdvisory' })],
  [new RegExp(`^/advisories/${ID}$`), (m) => ({ name: 'advisory', id: decodeURIComponent(m[1] ?? '') })],
  [/^\/board$/, () => ({ name: 'board' })],
  [/^\/public\/board$/, () => ({ name: 'publicBoard' })],
  [/^\/api$/, () => ({ name: 'apiReference' })],
  [/^\/surveys$/, () => ({ name: 'surveys' })],
  [/^\/surveys\/new$/, () => ({ name: 'newSurvey' })],
  [new RegExp(`^/surveys/${ID}$`), (m) => ({ name: 'survey', id: decodeURIComponent(m[1] ?? '') })],
  [new RegExp(`^/surveys/${ID}/edit$`), (m) => ({ name: 'editSurvey', id: decodeURIComponent(m[1] ?? '') })],
  [
    new RegExp(`^/surveys/${ID}/results$`),
    (m) => ({ name: 'surveyResults', id: decodeURIComponent(m[1] ?? '') }),
  ],
  [/^\/activities$/, () => ({ name: 'activities' })],
  [/^\/reports$/, () => ({ name: 'annualReport' })],
  [
    new RegExp(`^/reports/${ID}/${ID}/plan$`),
    (m) => ({ name: 'plan', sector: decodeURIComponent(m[1] ?? ''), fy: decodeURIComponent(m[2] ?? '') }),
  ],
];

/** The route of a path. Paths outside /app/ (a message's `/incidents/{id}` link) are read as if inside it. */
export function parseRoute(pathname: string): Route {
  const inner = pathname === BASE || pathname.startsWith(`${BASE}/`) ? pathname.slice(BASE.length) : pathname;
  for (const [pattern, make] of table) {
    const m = pattern.exec(inner);
    if (m) return make(m);
  }
  return { name: 'notFound' };
}

/** The path of a route. */
export function pathOf(route: Route): string {
  switch (route.name) {
    case 'home':
      return `${BASE}/`;
    case 'signIn':
      return `${BASE}/sign-in`;
    case 'callback':
      return `${BASE}/auth/callback`;
    case 'report':
      return `${BASE}/report`;
    case 'incidents':
      return `${BASE}/incidents`;
    case 'incident':
      return `${BASE}/incidents/${encodeURIComponent(route.id)}`;
    case 'events':
      return `${BASE}/incidents/${encodeURIComponent(route.id)}/events`;
    case 'queue':
      return `${BASE}/queue`;
    case 'inbox':
      return `${BASE}/inbox`;
    case 'audit':
      return `${BASE}/audit`;
    case 'auditStream':
      return `${BASE}/audit/streams/${encodeURIComponent(route.id)}`;
    case 'auditCompliance':
      return `${BASE}/audit/compliance`;
    case 'drills':
      return `${BASE}/drills`;
    case 'drill':
      return `${BASE}/drills/${encodeURIComponent(route.id)}`;
    case 'exercises':
      return `${BASE}/exercises`;
    case 'exercise':
      return `${BASE}/exercises/${encodeURIComponent(route.id)}`;
    case 'directory':
      return `${BASE}/directory`;
    case 'organization':
      return `${BASE}/directory/${encodeURIComponent(route.org)}`;
    case 'share':
      return `${BASE}/incidents/${encodeURIComponent(route.id)}/share`;
    case 'contactCheck':
      return `${BASE}/contact-checks/${encodeURIComponent(route.id)}`;
    case 'advisories':
      return `${BASE}/advisories`;
    case 'issueAdvisory':
      return `${BASE}/advisories/new`;
    case 'advisory':
      return `${BASE}/advisories/${encodeURIComponent(route.id)}`;
    case 'board':
      return `${BASE}/board`;
    case 'publicBoard':
      return `${BASE}/public/board`;
    case 'apiReference':
      return `${BASE}/api`;
    case 'surveys':
      return `${BASE}/surveys`;
    case 'newSurvey':
      return `${BASE}/surveys/new`;
    case 'survey':
      return `${BASE}/surveys/${encodeURIComponent(route.id)}`;
    case 'surveyResults':
      return `${BASE}/surveys/${encodeURIComponent(route.id)}/results`;
    case 'editSurvey':
      return `${BASE}/surveys/${encodeURIComponent(route.id)}/edit`;
    case 'activities':
      return `${BASE}/activities`;
    case 'annualReport':
      return `${BASE}/reports`;
    case 'plan':
      return `${BASE}/reports/${encodeURIComponent(route.sector)}/${encodeURIComponent(route.fy)}/plan`;
    case 'notFound':
      return `${BASE}/`;
    default: {
      const _never: never = route;
      return _never;
    }
  }
}

/**
 * The menu entry a page belongs to: a drill's report to the drills, an organisation to the directory,
 * an incident to the list it was opened from (the queue, the inbox, the reports: any of them).
 */
export function sectionOf(name: Route['name']): readonly Route['name'][] {
  switch (name) {
    case 'drill':
      return ['drills'];
    case 'exercise':
      return ['exercises'];
    case 'organization':
    case 'contactCheck':
      return ['directory'];
    case 'advisory':
    case 'issueAdvisory':
      return ['advisories'];
    case 'auditStream':
    case 'auditCompliance':
      return ['audit'];
    case 'newSurvey':
    case 'editSurvey':
    case 'survey':
    case 'surveyResults':
      return ['surveys'];
    case 'plan':
      return ['annualReport'];
    case 'incident':
    case 'events':
    case 'share':
      return ['incidents', 'queue', 'inbox'];
    default:
      return [];
  }
}

/**
 * aria-current for each entry of a menu: `page` on the entry's own page; on a page beneath entries,
 * `true` on the first of them in the menu (an incident belongs to the secretariat's queue, a member's
 * reports, an inbox: whichever the role's menu lists first).
 */
export function menuCurrent(
  entries: readonly Route['name'][],
  current: Route['name'],
): (entry: Route['name']) => 'page' | 'true' | undefined {
  const section = entries.includes(current) ? undefined : entries.find((e) => sectionOf(current).includes(e));
  return (entry) => (entry === current ? 'page' : entry === section ? 'true' : undefined);
}
