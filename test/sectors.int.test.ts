import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import { RANSOMWARE_REPORT, VPN_ADVISORY } from './support/fixtures.ts';
import { type ApiResponse, apiClient, localTokens, startTestStack } from './support/local-api.ts';

// One deployment, three sectors with data of their own: chemical and gas (both METI's) and banking
// (FSA's). Every caller below reads every list and every id; nothing may cross a sector boundary.
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;

type Caller = { name: string; body: Record<string, string>; sees: readonly string[] };
const CALLERS: Caller[] = [
  { name: 'chemical member', body: { role: 'member', org: 'asahi-petrochem' }, sees: ['chemical'] },
  { name: 'banking member', body: { role: 'member', org: 'banking-member-1' }, sees: ['banking'] },
  { name: 'chemical secretariat', body: { role: 'secretariat' }, sees: ['chemical'] },
  { name: 'banking secretariat', body: { role: 'secretariat', sector: 'banking' }, sees: ['banking'] },
  { name: 'gas secretariat', body: { role: 'secretariat', sector: 'gas' }, sees: ['gas'] },
  {
    name: 'METI',
    body: { role: 'ministry', org: 'meti' },
    sees: ['electricity', 'gas', 'chemical', 'credit', 'petroleum'],
  },
  {
    name: 'FSA',
    body: { role: 'ministry', org: 'fsa' },
    sees: ['banking', 'securities', 'life-insurance', 'non-life-insurance'],
  },
  { name: 'NISC', body: { role: 'nisc' }, sees: ['*'] },
  { name: 'auditor of every sector', body: { role: 'auditor' }, sees: ['*'] },
  { name: 'auditor of banking', body: { role: 'auditor', sector: 'banking' }, sees: ['banking'] },
];
const sees = (caller: Caller, sector: string) => caller.sees.includes('*') || caller.sees.includes(sector);

let token: ReturnType<typeof localTokens>;

/** What each sector wrote: an incident, an advisory, a drill. */
const made: Record<string, { incident: string; advisory: string; drill: string }> = {};

async function create(sector: string, member: Record<string, string>, secretariat: Record<string, string>) {
  const reported = await api.call('POST', '/incidents', {
    token: await token(member),
    body: { ...RANSOMWARE_REPORT, severity: 'low' },
  });
  const advisory = await api.call('POST', '/advisories', {
    token: await token(secretariat),
    body: { ...VPN_ADVISORY, tlp: 'GREEN' },
  });
  const drill = await api.call('POST', '/drills', { token: await token(secretariat), body: VPN_ADVISORY });
  for (const res of [reported, advisory, drill]) expect(res.status, JSON.stringify(res.body)).toBe(201);
  made[sector] = { incident: reported.body.id, advisory: advisory.body.id, drill: drill.body.id };
}

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url);
  token = localTokens(api);
  await create('chemical', { role: 'member', org: 'asahi-petrochem' }, { role: 'secretariat' });
  await create(
    'banking',
    { role: 'member', org: 'banking-member-1' },
    { role: 'secretariat', sector: 'banking' },
  );
  await create('gas', { role: 'member', org: 'gas-member-2' }, { role: 'secretariat', sector: 'gas' });
  await stack.settle();
}, 300_000);
afterAll(async () => {
  await stack?.stop();
});

describe('tokens carry the sector', () => {
  it("gives a member its organisation's sector, and refuses a member naming another or a ministry naming another's sector", async () => {
    const member = await api.call('POST', '/local/token', {
      body: { role: 'member', org: 'banking-member-1', sector: 'chemical' },
    });
    expect(member.status).toBe(400);
    expect(member.body.errors).toEqual([{ path: 'sector', message: expect.stringContaining('banking') }]);
    const ministry = await api.call('POST', '/local/token', {
      body: { role: 'ministry', org: 'fsa', sector: 'gas' },
    });
    expect(ministry.status).toBe(400);
    expect(ministry.body.errors.map((e: { path: string }) => e.path)).toEqual(['sector']);
    const unknown = await api.call('POST', '/local/token', {
      body: { role: 'secretariat', sector: 'fishing' },
    });
    expect(unknown.status).toBe(400);
  });

  it('records the sector on the stream: the banking member reported a banking incident', async () => {
    const res = await api.call('GET', `/incidents/${made.banking?.incident}`, {
      token: await token({ role: 'secretariat', sector: 'banking' }),
    });
    expect(res.body).toMatchObject({ sector: 'banking', org: 'banking-member-1' });
    const events = await api.call('GET', `/incidents/${made.banking?.incident}/events`, {
      token: await token({ role: 'auditor' }),
    });
    expect(events.body.items[0]).toMatchObject({ type: 'IncidentReported', data: { sector: 'banking' } });
  });
});

describe('GET /sectors', () => {
  it('lists the 18 seeded sectors to NISC, with secretariat, ministry, member count and preset', async () => {
    const res = await api.call('GET', '/sectors', { token: await token({ role: 'nisc' }) });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(18);
    expect(res.body.items.find((s: { id: string }) => s.id === 'water')).toEqual({
      id: 'water',
      names: { ja: '水道CEPTOAR', en: 'Water Supply CEPTOAR' },
      secretariat: 'water-secretariat',
      ministry: 'mlit',
      members: 8,
      preset: 'japan-ceptoar',
    });
    const chemical = await api.call('GET', '/sectors/chemical', {
      token: await token({ role: 'secretariat' }),
    });
    expect(chemical.body).toMatchObject({ secretariat: 'secretariat', ministry: 'meti', members: 11 });
  });
});

describe('no read crosses a sector boundary', () => {
  for (const caller of CALLERS) {
    it(`${caller.name}: lists hold only its sectors' rows, another sector's ids are 404`, async () => {
      const t = await token(caller.body);
      const isMember = caller.body.role === 'member';
      const lists = [
        '/incidents',
        '/advisories',
        '/board',
        '/directory/organizations',
        ...(isMember ? [] : ['/drills']),
      ];
      for (const path of [...lists, '/sectors']) {
        const res = await api.call('GET', path, { token: t });
        expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(200);
        for (const row of res.body.items as {
          sector?: string | null;
          id?: string;
          org?: string;
          kind?: string;
        }[]) {
          // A member's directory holds one member: itself.
          if (isMember && row.kind === 'member')
            expect(row.org, `${path} listed another member`).toBe(caller.body.org);
          const sector = path === '/sectors' ? row.id : row.sector;
          // Ministries and NISC belong to no sector; they are listed with each sector they serve.
          if (sector === null) continue;
          expect(sees(caller, sector ?? ''), `${path} listed a ${sector} row`).toBe(true);
        }
      }
      for (const [sector, ids] of Object.entries(made)) {
        // Routes the caller's role may not use at all answer 403 for every id alike; they are left out.
        const reads = [
          `/incidents/${ids.incident}`,
          ...(['ministry', 'nisc'].includes(caller.body.role ?? '')
            ? []
            : [`/incidents/${ids.incident}/events`]),
          `/advisories/${ids.advisory}`,
          `/advisories/${ids.drill}`,
          ...(isMember ? [] : [`/drills/${ids.drill}/report`]),
          `/sectors/${sector}`,
        ];
        for (const path of reads) {
          const res = await api.call('GET', path, { token: t });
          if (!sees(caller, sector)) expect(res.status, `${caller.name} read ${path}`).toBe(404);
          else expect(res.status, `${caller.name} read ${path}`).not.toBe(500);
        }
      }
      if (!isMember) {
        const gasMember = await api.call('GET', '/directory/organizations/gas-member-1', { token: t });
        expect(gasMember.status).toBe(sees(caller, 'gas') ? 200 : 404);
      }
    });
  }

  it("shows each secretariat its own incident, advisory and drill, and NISC's merged list pages through every sector", async () => {
    for (const [sector, body] of [
      ['chemical', { role: 'secretariat' }],
      ['banking', { role: 'secretariat', sector: 'banking' }],
    ] as const) {
      const t = await token(body);
      const incidents = await api.call('GET', '/incidents', { token: t });
      expect(incidents.body.items.map((i: { id: string }) => i.id)).toContain(made[sector]?.incident);
      const advisories = await api.call('GET', '/advisories', { token: t });
      expect(advisories.body.items.map((a: { id: string }) => a.id)).toEqual(
        expect.arrayContaining([made[sector]?.advisory, made[sector]?.drill]),
      );
    }
    const auditor = await token({ role: 'auditor' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: ApiResponse = await api.call(
        'GET',
        `/incidents?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        {
          token: auditor,
        },
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(
      Object.values(made)
        .map((m) => m.incident)
        .sort(),
    );
    const gasOnly = await api.call('GET', '/incidents?sector=gas', { token: auditor });
    expect(gasOnly.body.items.map((i: { id: string }) => i.id)).toEqual([made.gas?.incident]);
    expect((await api.call('GET', '/incidents?sector=fishing', { token: auditor })).status).toBe(400);
  });

  it("lets no one act on another sector's incident or advisory: 404, and nothing written", async () => {
    const banking = await token({ role: 'secretariat', sector: 'banking' });
    const decision = await api.call('POST', `/incidents/${made.chemical?.incident}/decision`, {
      token: banking,
      body: { decision: 'approve' },
    });
    expect(decision.status).toBe(404);
    const chemical = await api.call('GET', `/incidents/${made.chemical?.incident}`, {
      token: await token({ role: 'secretariat' }),
    });
    expect(chemical.body.status).toBe('awaiting_secretariat');
    const ack = await api.call('POST', `/advisories/${made.chemical?.advisory}/receipt`, {
      token: await token({ role: 'member', org: 'banking-member-1' }),
      body: {},
    });
    expect(ack.status).toBe(404);
  });

  it("sends a sector's advisory to its own members only", async () => {
    const res = await api.call('GET', `/advisories/${made.banking?.advisory}`, {
      token: await token({ role: 'secretariat', sector: 'banking' }),
    });
    expect(res.body.recipients.map((r: { org: string }) => r.org)).toEqual([
      'banking-member-1',
      'banking-member-2',
      'banking-member-3',
    ]);
  });
});
