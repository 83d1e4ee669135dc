import type { MessageKey } from './i18n/ja.ts';
import type { Route } from './routes.ts';
import type { Role } from './session.ts';

/**
 * Navigation slots for the parts of the console beyond the incident relay (advisories, board, drills,
 * directory, audit). A slot appears only when it has a page AND the API answers its probe with anything
 * but 404 (an API without the route answers 404 before any authorisation), so a deployment shows exactly
 * what its API serves.
 */
export interface FeatureSlot {
  readonly id:
    | 'advisories'
    | 'board'
    | 'drills'
    | 'exercises'
    | 'surveys'
    | 'activities'
    | 'annualReport'
    | 'directory'
    | 'audit'
    | 'api';
  readonly label: MessageKey;
  readonly roles: readonly Role[];
  /** A GET the API serves when the feature exists: a valid request that reads as little as possible. */
  readonly probe: string;
  /** The page the slot opens; until it lands the slot stays hidden whatever the API says. */
  readonly page: Route | undefined;
}

/** The audit probe: the events of an empty period (a valid request that reads nothing). */
const AUDIT_PROBE = '/audit/events?from=2000-01-01T00:00:00Z&to=2000-01-01T00:00:00Z&limit=1';

export const featureSlots: readonly FeatureSlot[] = [
  {
    id: 'advisories',
    label: 'nav.advisories',
    roles: ['member', 'secretariat', 'ministry', 'nisc'],
    probe: '/advisories?limit=1',
    page: { name: 'advisories' },
  },
  {
    id: 'board',
    label: 'nav.board',
    roles: ['member', 'secretariat'],
    probe: '/board?limit=1',
    page: { name: 'board' },
  },
  {
    id: 'drills',
    label: 'nav.drills',
    roles: ['secretariat', 'ministry', 'nisc'],
    probe: '/drills?limit=1',
    page: { name: 'drills' },
  },
  {
    id: 'exercises',
    label: 'nav.exercises',
    roles: ['secretariat', 'ministry', 'nisc'],
    probe: '/exercises?limit=1',
    page: { name: 'exercises' },
  },
  {
    id: 'surveys',
    label: 'nav.surveys',
    roles: ['member', 'secretariat', 'ministry', 'nisc'],
    probe: '/surveys',
    page: { name: 'surveys' },
  },
  {
    id: 'activities',
    label: 'nav.activities',
    roles: ['secretariat'],
    // A year no one records anything in: a valid request that reads the sector's list of activities.
    probe: '/activities?fy=2000',
    page: { name: 'activities' },
  },
  {
    id: 'annualReport',
    label: 'nav.annualReport',
    roles: ['secretariat', 'ministry', 'nisc', 'auditor'],
    // The report is computed, never a probe; the activities it lists came with it and the same roles read them.
    probe: '/activities?fy=2000',
    page: { name: 'annualReport' },
  },
  {
    id: 'directory',
    label: 'nav.directory',
    roles: ['secretariat'],
    probe: '/directory/organizations',
    page: { name: 'directory' },
  },
  { id: 'audit', label: 'nav.audit', roles: ['auditor'], probe: AUDIT_PROBE, page: { name: 'audit' } },
  {
    id: 'api',
    label: 'nav.apiReference',
    roles: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'],
    probe: '/openapi.json',
    page: { name: 'apiReference' },
  },
];

/** True when the API serves the probe's route (any answer but 404); false when it has no such route. */
export async function apiHasRoute(
  apiUrl: string,
  path: string,
  token: string,
  fetcher: typeof fetch = fetch,
): Promise<boolean> {
  try {
    const res = await fetcher(`${apiUrl}${path}`, {
      headers: { accept: 'application/json', authorization: `Bearer ${token}` },
    });
    return res.status !== 404;
  } catch {
    return false;
  }
}

/** The slots to show for a role: those with a page whose API answers. */
export async function availableSlots(
  role: Role,
  apiUrl: string,
  token: string,
  fetcher: typeof fetch = fetch,
): Promise<FeatureSlot[]> {
  const candidates = featureSlots.filter((s) => s.page !== undefined && s.roles.includes(role));
  const answers = await Promise.all(candidates.map((s) => apiHasRoute(apiUrl, s.probe, token, fetcher)));
  return candidates.filter((_s, i) => answers[i]);
}
