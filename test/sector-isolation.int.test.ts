import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fiscalYearOf } from '../events/report/fiscal-year.ts';
import { SURVEY_EXAMPLE } from '../functions/api-contract.ts';
import { functions } from '../functions/manifest.ts';
import type { LocalStack } from '../local/stack.ts';
import { RANSOMWARE_REPORT, VPN_ADVISORY } from './support/fixtures.ts';
import { type ApiResponse, apiClient, localTokens, startTestStack } from './support/local-api.ts';

// The isolation matrix: every role × two sectors (chemical, METI's; banking, FSA's) × every GET
// route of functions/manifest.ts. Each sector writes an incident (approved, so it reaches the
// ministry), an advisory, a drill and a contact check, each carrying a marker of its own; NISC
// sends one advisory to both, and each sector's chain of it is a marker of that sector. No
// answer to a caller may hold another sector's marker or id, another sector's item is 404 (403
// only where the role may not use the route at all), and no message goes to another sector's
// contacts. A GET route added to the manifest fails this test until it is probed or exempted here.

type Sector = 'chemical' | 'banking';
const SECTORS: readonly Sector[] = ['chemical', 'banking'];

interface Made {
  marker: string;
  member: string;
  incident: string;
  advisory: string;
  drill: string;
  check: string;
  /** NISC's advisory to the sector (NISC → its ministry → its secretariat → its members). */
  nisc: string;
  /** A cross-sector exercise NISC prepared for this sector alone, its member participating. */
  exercise: string;
  /** A survey the secretariat issued to its members, the member's draft saved. */
  survey: string;
  /** An activity the secretariat recorded, with minutes attached (file 1). */
  activity: string;
  /** This sector's chain of NISC's one advisory to both sectors (the parent: `forkParent`). */
  fork: string;
}
/** NISC's advisory to chemical and banking: the parent of each sector's `fork` chain. */
let forkParent = '';
/** The fiscal year the activities and the plan are written for (this one, JST). */
const FY = fiscalYearOf(new Date().toISOString());
const made = {} as Record<Sector, Made>;

type Caller = { name: string; body: Record<string, string>; sees: readonly Sector[] };
const CALLERS: readonly Caller[] = [
  { name: 'chemical member', body: { role: 'member', org: 'asahi-petrochem' }, sees: ['chemical'] },
  { name: 'banking member', body: { role: 'member', org: 'banking-member-1' }, sees: ['banking'] },
  { name: 'chemical secretariat', body: { role: 'secretariat' }, sees: ['chemical'] },
  { name: 'banking secretariat', body: { role: 'secretariat', sector: 'banking' }, sees: ['banking'] },
  { name: 'METI (chemical, not banking)', body: { role: 'ministry', org: 'meti' }, sees: ['chemical'] },
  { name: 'FSA (banking, not chemical)', body: { role: 'ministry', org: 'fsa' }, sees: ['banking'] },
  { name: 'NISC', body: { role: 'nisc' }, sees: SECTORS },
  { name: 'auditor of banking', body: { role: 'auditor', sector: 'banking' }, sees: ['banking'] },
  { name: 'auditor of chemical', body: { role: 'auditor', sector: 'chemical' }, sees: ['chemical'] },
  { name: 'auditor of every sector', body: { role: 'auditor' }, sees: SECTORS },
];

const START = new Date(Date.now() - 60_000).toISOString();
const enc = encodeURIComponent;

/** How each GET route is read: `item` paths name one sector's data; `list` paths are the same for every sector. */
type Probe =
  | { kind: 'item'; paths: (d: Made, sector: Sector) => string[]; accept?: string }
  | { kind: 'list'; paths: string[]; accept?: string };
const PROBES: Record<string, Probe> = {
  'GET /incidents': {
    kind: 'list',
    paths: ['/incidents', '/incidents?sector=chemical', '/incidents?sector=banking'],
  },
  'GET /incidents/{id}': { kind: 'item', paths: (d) => [`/incidents/${d.incident}`] },
  'GET /incidents/{id}/events': { kind: 'item', paths: (d) => [`/incidents/${d.incident}/events`] },
  'GET /directory/organizations': {
    kind: 'list',
    paths: ['/directory/organizations', '/directory/organizations?sector=banking'],
  },
  'GET /directory/organizations/{org}': {
    kind: 'item',
    paths: (d) => [`/directory/organizations/${d.member}`],
  },
  'GET /sectors': { kind: 'list', paths: ['/sectors'] },
  'GET /sectors/{id}': { kind: 'item', paths: (_, sector) => [`/sectors/${sector}`] },
  'GET /drills': { kind: 'list', paths: ['/drills', '/drills?sector=banking'] },
  'GET /advisories': { kind: 'list', paths: ['/advisories', '/advisories?sector=chemical'] },
  'GET /advisories/{id}': {
    kind: 'item',
    paths: (d) => [`/advisories/${d.advisory}`, `/advisories/${d.drill}`, `/advisories/${d.fork}`],
  },
  'GET /board': { kind: 'list', paths: ['/board', '/board?sector=banking'] },
  'GET /drills/{id}/report': { kind: 'item', paths: (d) => [`/drills/${d.drill}/report`] },
  'GET /contact-checks/{id}': { kind: 'item', paths: (d) => [`/contact-checks/${d.check}`] },
  'GET /exercises': { kind: 'list', paths: ['/exercises'] },
  'GET /exercises/{id}': { kind: 'item', paths: (d) => [`/exercises/${d.exercise}`] },
  'GET /exercises/{id}/report': { kind: 'item', paths: (d) => [`/exercises/${d.exercise}/report`] },
  'GET /surveys': { kind: 'list', paths: ['/surveys', '/surveys?sector=banking'] },
  'GET /surveys/{id}': { kind: 'item', paths: (d) => [`/surveys/${d.survey}`] },
  'GET /surveys/{id}/response': { kind: 'item', paths: (d) => [`/surveys/${d.survey}/response`] },
  'GET /surveys/{id}/results': { kind: 'item', paths: (d) => [`/surveys/${d.survey}/results`] },
  'GET /surveys/{id}/recipients': { kind: 'item', paths: (d) => [`/surveys/${d.survey}/recipients`] },
  'GET /activities': {
    kind: 'list',
    paths: ['/activities', '/activities?sector=chemical', '/activities?sector=banking'],
  },
  'GET /activities/{id}': { kind: 'item', paths: (d) => [`/activities/${d.activity}`] },
  'GET /activities/{id}/minutes/{n}': { kind: 'item', paths: (d) => [`/activities/${d.activity}/minutes/1`] },
  'GET /reports/{sector}/{fy}/plan': {
    kind: 'item',
    paths: (_, sector) => [`/reports/${sector}/${FY}/plan`],
  },
  'GET /reports/{sector}/{fy}': {
    kind: 'item',
    paths: (_, sector) => [`/reports/${sector}/${FY}`, `/reports/${sector}/${FY}?lang=en`],
  },
  'GET /audit/streams/{id}': {
    kind: 'item',
    paths: (d) => [
      `/audit/streams/${enc(`incident#${d.incident}`)}`,
      `/audit/streams/${enc(`advisory#${d.advisory}`)}`,
      `/audit/streams/${enc(`advisory-recipient#${d.advisory}#${d.member}`)}`,
      `/audit/streams/${enc(`organization#${d.member}`)}`,
    ],
  },
  'GET /audit/events': { kind: 'list', paths: [`/audit/events?from=${enc(START)}&limit=1000`] },
  'GET /audit/heads': {
    kind: 'list',
    // The whole list, one stream type's, and a small first page.
    paths: [
      '/audit/heads',
      '/audit/heads?type=incident',
      '/audit/heads?type=advisory-recipient',
      '/audit/heads?limit=3',
    ],
  },
  'GET /audit/compliance': { kind: 'list', paths: [`/audit/compliance?from=${enc(START)}`] },
  'GET /audit/checkpoints': { kind: 'list', paths: ['/audit/checkpoints'] },
  'GET /audit/checkpoints/{id}': {
    kind: 'list',
    paths: ['/audit/checkpoints/latest', '/audit/checkpoints/latest?limit=3'],
  },
  'GET /audit/checkpoints/{id}/proof': {
    kind: 'item',
    paths: (d) => [`/audit/checkpoints/latest/proof?stream=${enc(`incident#${d.incident}`)}`],
  },
};
/** Variants read besides JSON: the same data in another representation. */
const VARIANTS: Record<string, Probe> = {
  'GET /audit/events': {
    kind: 'list',
    paths: [`/audit/events?from=${enc(START)}&limit=10000`],
    accept: 'application/x-ndjson',
  },
  'GET /drills/{id}/report': {
    kind: 'item',
    paths: (d) => [`/drills/${d.drill}/report`],
    accept: 'text/csv',
  },
  'GET /exercises/{id}/report': {
    kind: 'item',
    paths: (d) => [`/exercises/${d.exercise}/report`],
    accept: 'text/csv',
  },
  'GET /surveys/{id}/results': {
    kind: 'item',
    paths: (d) => [`/surveys/${d.survey}/results`],
    accept: 'text/csv',
  },
  'GET /reports/{sector}/{fy}': {
    kind: 'item',
    paths: (_, sector) => [`/reports/${sector}/${FY}`],
    accept: 'text/html',
  },
};
/** GET routes not walked, each with the reason. */
const EXEMPT: Record<string, string> = {
  'GET /ack/{token}':
    'no caller and no sector: the signed link names one recipient of one advisory (test/advisory-chain covers it)',
  'GET /public/board': 'public by design: TLP:CLEAR advisories of every sector, for anyone without a token',
  'GET /openapi.json': 'the static API document: no data of any sector',
};

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
let token: ReturnType<typeof localTokens>;

/**
 * What marks a sector's data in an answer: its marker text and its ids. Not its member's id: the
 * shared report fixture names asahi-petrochem in its text whichever member reports it; reads of a
 * member's entry are held to the 404 below instead.
 */
const markersOf = (d: Made) => [
  d.marker,
  d.incident,
  d.advisory,
  d.drill,
  d.check,
  d.nisc,
  d.exercise,
  d.survey,
  d.activity,
  d.fork,
];
const text = (res: ApiResponse) => (typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? ''));

async function create(sector: Sector, member: string, secretariat: Record<string, string>) {
  const marker = `isolation-${sector}-${randomUUID().slice(0, 8)}`;
  const reported = await api.call('POST', '/incidents', {
    token: await token({ role: 'member', org: member }),
    body: { ...RANSOMWARE_REPORT, title: `Ransomware ${marker}`, severity: 'low', detectedAt: START },
  });
  expect(reported.status, JSON.stringify(reported.body)).toBe(201);
  const approved = await api.call('POST', `/incidents/${reported.body.id}/decision`, {
    token: await token(secretariat),
    body: { decision: 'approve' },
  });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  const advisory = await api.call('POST', '/advisories', {
    token: await token(secretariat),
    body: { ...VPN_ADVISORY, title: `VPN ${marker}`, tlp: 'GREEN' },
  });
  const drill = await api.call('POST', '/drills', {
    token: await token(secretariat),
    body: { ...VPN_ADVISORY, title: `Drill ${marker}` },
  });
  const check = await api.call('POST', '/contact-checks', {
    token: await token(secretariat),
    body: { ackWithinHours: 240 },
  });
  const nisc = await api.call('POST', '/advisories', {
    token: await token({ role: 'nisc' }),
    body: { ...VPN_ADVISORY, title: `NISC ${marker}`, tlp: 'GREEN', sector },
  });
  const exercise = await api.call('POST', '/exercises', {
    token: await token({ role: 'nisc' }),
    body: {
      title: { ja: `演習 ${marker}`, en: `Exercise ${marker}` },
      sectors: [sector],
      participants: [{ org: member, role: 'participant' }],
      plannedStart: new Date(Date.now() + 86_400_000).toISOString(),
      injects: [
        {
          id: 'inject-1',
          kind: 'incident',
          offsetMinutes: 0,
          sector,
          from: member,
          title: `Inject ${marker}`,
          body: 'Scripted incident.',
          contact: { name: 'Control', email: 'control@nisc.example' },
          expected: [{ role: 'secretariat', action: 'approve', withinMinutes: 30 }],
        },
      ],
    },
  });
  const survey = await api.call('POST', '/surveys', {
    token: await token(secretariat),
    body: {
      definition: { ...SURVEY_EXAMPLE, title: { ja: `調査 ${marker}`, en: `Survey ${marker}` } },
      tlp: 'GREEN',
    },
  });
  const issued = await api.call('POST', `/surveys/${survey.body.id}/issue`, {
    token: await token(secretariat),
    body: { dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString() },
  });
  expect(issued.status, JSON.stringify(issued.body)).toBe(200);
  const draft = await api.call('PUT', `/surveys/${survey.body.id}/response`, {
    token: await token({ role: 'member', org: member }),
    body: { answers: { policy: 'yes' } },
  });
  expect(draft.status, JSON.stringify(draft.body)).toBeLessThan(300);
  const activity = await api.call('POST', '/activities', {
    token: await token(secretariat),
    body: {
      date: new Date().toISOString().slice(0, 10),
      kind: 'wg-meeting',
      title: `WG ${marker}`,
      participants: { organizations: [member], people: [] },
    },
  });
  const minutes = await api.call('POST', `/activities/${activity.body.id}/minutes?filename=minutes.txt`, {
    token: await token(secretariat),
    raw: `Minutes ${marker}\n`,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
  const plan = await api.call('PUT', `/reports/${sector}/${FY}/plan`, {
    token: await token(secretariat),
    body: { sections: [{ heading: `Plan ${marker}`, body: 'WG を続ける。' }] },
  });
  expect(plan.status, JSON.stringify(plan.body)).toBe(200);
  for (const res of [advisory, drill, check, nisc, exercise, survey, activity, minutes])
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  made[sector] = {
    marker,
    member,
    incident: reported.body.id,
    advisory: advisory.body.id,
    drill: drill.body.id,
    check: check.body.id,
    nisc: nisc.body.id,
    exercise: exercise.body.id,
    survey: survey.body.id,
    activity: activity.body.id,
    fork: '',
  };
}

/** NISC sends one advisory to both sectors: each gets its own chain (issued by the reaction to the parent). */
async function fork() {
  const res = await api.call('POST', '/advisories', {
    token: await token({ role: 'nisc' }),
    body: { ...VPN_ADVISORY, title: `Fork ${randomUUID().slice(0, 8)}`, tlp: 'GREEN', sectors: SECTORS },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  forkParent = res.body.id;
  for (const c of res.body.children as { sector: Sector; advisoryId: string }[])
    made[c.sector].fork = c.advisoryId;
}

const getRoutes = functions.flatMap((f) =>
  ('routes' in f ? f.routes : []).filter((r) => r.method === 'GET').map((r) => `GET ${r.path}`),
);

beforeAll(async () => {
  stack = await startTestStack({ checkpointSeconds: 0 });
  api = apiClient(stack.url);
  token = localTokens(api);
  await create('chemical', 'asahi-petrochem', { role: 'secretariat' });
  await create('banking', 'banking-member-1', { role: 'secretariat', sector: 'banking' });
  await fork();
  await stack.settle();
  const published = await api.call('POST', '/audit/checkpoints', { token: await token({ role: 'auditor' }) });
  expect(published.status).toBe(201);
}, 300_000);
afterAll(async () => {
  await stack?.stop();
});

describe('the isolation matrix', () => {
  it('probes every GET route of the manifest, or names why not', () => {
    for (const route of getRoutes) {
      expect(
        PROBES[route] !== undefined || EXEMPT[route] !== undefined,
        `${route} is neither probed nor exempt`,
      ).toBe(true);
    }
    for (const route of [...Object.keys(PROBES), ...Object.keys(EXEMPT)])
      expect(getRoutes, `${route} is no longer in the manifest`).toContain(route);
  });

  for (const caller of CALLERS) {
    it(`${caller.name}: no answer of any route holds another sector's data`, async () => {
      const t = await token(caller.body);
      const foreign = SECTORS.filter((s) => !caller.sees.includes(s));
      const foreignMarkers = foreign.flatMap((s) => markersOf(made[s]));
      const ownMarkersSeen = new Set<string>();
      const read = async (path: string, accept?: string) => {
        const res = await api.call('GET', path, { token: t, ...(accept ? { headers: { accept } } : {}) });
        expect(res.status, `${caller.name} GET ${path}: ${text(res)}`).toBeLessThan(500);
        return res;
      };
      const leaks = (res: ApiResponse, path: string) => {
        const body = text(res);
        for (const m of foreignMarkers)
          expect(body.includes(m), `${caller.name} GET ${path} holds ${m}`).toBe(false);
        for (const s of caller.sees)
          for (const m of markersOf(made[s])) if (body.includes(m)) ownMarkersSeen.add(s);
      };
      for (const [route, probe] of [...Object.entries(PROBES), ...Object.entries(VARIANTS)]) {
        if (probe.kind === 'list') {
          for (const path of probe.paths) leaks(await read(path, probe.accept), path);
          continue;
        }
        // Whether the role may use the route at all, from its own sectors' items.
        const ownStatuses: number[] = [];
        for (const s of caller.sees) {
          for (const path of probe.paths(made[s], s)) {
            const res = await read(path, probe.accept);
            ownStatuses.push(res.status);
            leaks(res, path);
          }
        }
        const forbiddenToRole = ownStatuses.length > 0 && ownStatuses.every((s) => s === 403);
        for (const s of foreign) {
          for (const path of probe.paths(made[s], s)) {
            const res = await read(path, probe.accept);
            expect(res.status, `${caller.name} GET ${path} (${route}, ${s})`).toBe(
              forbiddenToRole ? 403 : 404,
            );
          }
        }
      }
      // Not vacuous: the caller met its own sectors' data somewhere.
      expect([...ownMarkersSeen].sort()).toEqual([...caller.sees].sort());
    }, 240_000);
  }

  it("the parent of an advisory to both sectors: NISC sees both chains, a ministry or auditor its own sector's, a secretariat or member nothing", async () => {
    for (const caller of CALLERS) {
      const t = await token(caller.body);
      const res = await api.call('GET', `/advisories/${forkParent}`, { token: t });
      const readsParent = ['nisc', 'ministry', 'auditor'].includes(caller.body.role ?? '');
      expect(res.status, `${caller.name}: ${text(res)}`).toBe(readsParent ? 200 : 404);
      if (!readsParent) continue;
      expect(res.body.sectors, caller.name).toEqual([...caller.sees].sort());
      for (const s of SECTORS)
        expect(text(res).includes(made[s].fork), `${caller.name} reads ${s}'s chain`).toBe(
          caller.sees.includes(s),
        );
      // The parent's own stream names both sectors' chains: only a caller who sees every sector reads it.
      const stream = await api.call('GET', `/audit/streams/${enc(`advisory-fork#${forkParent}`)}`, {
        token: t,
      });
      if (caller.body.role === 'auditor')
        expect(stream.status, caller.name).toBe(caller.sees.length === 2 ? 200 : 404);
    }
  });

  it("sends no sector's message to another sector's contacts", async () => {
    const nisc = await token({ role: 'nisc' });
    const owner = new Map<string, Sector>();
    for (const sector of SECTORS) {
      const list = await api.call('GET', `/directory/organizations?sector=${sector}`, { token: nisc });
      for (const row of list.body.items as { org: string; sector: string | null }[]) {
        if (row.sector === null) continue; // the ministries and NISC serve several sectors
        const entry = await api.call('GET', `/directory/organizations/${row.org}`, { token: nisc });
        for (const contact of entry.body.contacts as Record<string, unknown>[])
          for (const v of Object.values(contact))
            if (typeof v === 'string' && /[@+]/.test(v)) owner.set(v, sector);
      }
    }
    expect(owner.size).toBeGreaterThan(0);
    const messages = [
      ...stack.mail.messages().map((m) => ({ to: m.to, text: `${m.subject}\n${m.text}` })),
      ...stack.sms.messages().map((m) => ({ to: [m.to], text: m.text })),
    ];
    let marked = 0;
    for (const sector of SECTORS) {
      for (const m of messages.filter((x) => x.text.includes(made[sector].marker))) {
        marked++;
        for (const to of m.to) {
          const of = owner.get(to);
          expect(of === undefined || of === sector, `${made[sector].marker} went to ${to} of ${of}`).toBe(
            true,
          );
        }
      }
    }
    expect(marked).toBeGreaterThan(0);
  });
});
