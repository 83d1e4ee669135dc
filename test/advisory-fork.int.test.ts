import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import { VPN_ADVISORY } from './support/fixtures.ts';
import { apiClient, eventually, localTokens, startTestStack } from './support/local-api.ts';

// One advisory from NISC to chemical (METI), gas (METI) and banking (FSA), through the local stack
// at an hour per second: a "low" advisory (forward deadlines 72 s) with a 240 h window (240 s), so
// nothing times out while the test walks each sector's chain by hand.
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
let token: ReturnType<typeof localTokens>;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url);
  token = localTokens(api);
});
afterAll(async () => {
  await stack?.stop();
});

const NISC = { role: 'nisc' };
const METI = { role: 'ministry', org: 'meti' };
const FSA = { role: 'ministry', org: 'fsa' };
const MHLW = { role: 'ministry', org: 'mhlw' };
const SECRETARIAT = {
  chemical: { role: 'secretariat' },
  gas: { role: 'secretariat', sector: 'gas' },
  banking: { role: 'secretariat', sector: 'banking' },
} as const;
const ADVISORY = { ...VPN_ADVISORY, title: 'Fork: exploited VPN appliance', tlp: 'GREEN' };

const as = async (who: Record<string, string>, method: string, path: string, body?: unknown) =>
  api.call(method, path, { token: await token(who), ...(body === undefined ? {} : { body }) });

/** How many advisories a sector lists for NISC (the fork's refusals must not add one). */
const listed = async (sector: string) =>
  ((await as(NISC, 'GET', `/advisories?sector=${sector}`)).body.items as unknown[]).length;

let parent = '';
let child: Record<'chemical' | 'gas' | 'banking', string>;

describe('an advisory to several sectors', () => {
  it('refuses bad sectors with a 400 naming each field, and writes nothing', async () => {
    const before = await Promise.all(['chemical', 'gas', 'banking'].map(listed));
    const unknown = await as(NISC, 'POST', '/advisories', { ...ADVISORY, sectors: ['gas', 'atlantis'] });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect(unknown.body.errors).toEqual([
      { path: 'sectors.1', message: expect.stringContaining('chemical') },
    ]);
    const both = await as(NISC, 'POST', '/advisories', { ...ADVISORY, sector: 'gas', sectors: ['gas'] });
    expect(both.status).toBe(400);
    expect(both.body.errors.map((e: { path: string }) => e.path)).toEqual(['sector']);
    const list = await as(NISC, 'POST', '/advisories', {
      ...ADVISORY,
      sectors: ['gas'],
      audience: ['gas-member-1'],
    });
    expect(list.status).toBe(400);
    expect(list.body.errors.map((e: { path: string }) => e.path)).toEqual(['audience']);
    const empty = await as(NISC, 'POST', '/advisories', { ...ADVISORY, sectors: [] });
    expect(empty.status).toBe(400);
    // A ministry may fork to its own sectors only; a secretariat not at all.
    const foreign = await as(METI, 'POST', '/advisories', { ...ADVISORY, sectors: ['gas', 'banking'] });
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors).toEqual([{ path: 'sectors.1', message: 'not a sector of yours' }]);
    const secretariat = await as(SECRETARIAT.gas, 'POST', '/advisories', { ...ADVISORY, sectors: ['gas'] });
    expect(secretariat.status).toBe(403);
    await stack.settle();
    expect(await Promise.all(['chemical', 'gas', 'banking'].map(listed))).toEqual(before);
  });

  it('NISC sends one advisory to chemical, gas and banking: one chain per sector, each to its ministry', async () => {
    const res = await as(NISC, 'POST', '/advisories', {
      ...ADVISORY,
      sectors: ['chemical', 'gas', 'banking'],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.kind).toBe('fork');
    expect(res.headers.get('location')).toBe(`/advisories/${res.body.id}`);
    parent = res.body.id;
    const ids = Object.fromEntries(
      (res.body.children as { sector: string; advisoryId: string }[]).map((c) => [c.sector, c.advisoryId]),
    );
    expect(Object.keys(ids).sort()).toEqual(['banking', 'chemical', 'gas']);
    child = ids as typeof child;
    await stack.settle();
    for (const [sector, id] of Object.entries(child)) {
      const v = await as(NISC, 'GET', `/advisories/${id}`);
      expect(v.status).toBe(200);
      expect(v.body).toMatchObject({
        sector,
        parentId: parent,
        status: 'awaiting_ministry',
        issuerRole: 'nisc',
      });
    }
    // Each sector's forwarding request went to its own ministry: METI's for chemical and gas, FSA's for banking.
    const parentView = await as(NISC, 'GET', `/advisories/${parent}`);
    expect(parentView.body.children.map((c: { status: string }) => c.status)).toEqual([
      'awaiting_ministry',
      'awaiting_ministry',
      'awaiting_ministry',
    ]);
  });

  it('a repeated reaction to the fork writes nothing', async () => {
    const { reactToFork } = await import('../functions/reactions/fork-reactions.ts');
    const { forks } = await import('../functions/aggregates/advisory-forks.ts');
    const { advisories } = await import('../functions/aggregates/advisories.ts');
    const { loadAggregate } = await import('../functions/store/command-runner.ts');
    const { store } = await import('../functions/store/store.ts');
    const versions = async () =>
      Promise.all(
        Object.values(child).map(async (id) => (await loadAggregate(store, advisories, id)).version),
      );
    const before = await versions();
    const { state } = await loadAggregate(store, forks, parent);
    if (state === null) throw new Error('the fork is not there');
    for await (const stored of store.readEvents(forks.streamId(parent), { fromVersion: 1 }))
      await reactToFork(forks.upcast(stored), state, store, new Date().toISOString());
    expect(await versions()).toEqual(before);
  });

  it('each sector runs its own chain; the parent gives per-sector and overall rates exactly', async () => {
    // Chemical and gas: METI then their secretariats forward; banking: FSA forwards, its secretariat not yet.
    for (const [who, id] of [
      [METI, child.chemical],
      [METI, child.gas],
      [FSA, child.banking],
      [SECRETARIAT.chemical, child.chemical],
      [SECRETARIAT.gas, child.gas],
    ] as const) {
      const res = await as(who, 'POST', `/advisories/${id}/forward`, {});
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    // Another sector's ministry cannot forward a chain it does not oversee.
    expect((await as(FSA, 'POST', `/advisories/${child.gas}/forward`, {})).status).toBe(404);
    for (const [org, id] of [
      ['asahi-petrochem', child.chemical],
      ['kaigan-chemical', child.chemical],
      ['gas-member-1', child.gas],
    ] as const) {
      const res = await as({ role: 'member', org }, 'POST', `/advisories/${id}/receipt`, {});
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    await stack.settle();
    const figures = await eventually(
      async () => {
        const v = (await as(NISC, 'GET', `/advisories/${parent}`)).body;
        return v.overall.delivered === 14 ? v : undefined;
      },
      30_000,
      'every delivery recorded',
    );
    expect(figures.sectors).toEqual(['banking', 'chemical', 'gas']);
    const pick = (r: Record<string, unknown>) => ({
      sector: r.sector,
      advisoryId: r.advisoryId,
      status: r.status,
      recipients: r.recipients,
      delivered: r.delivered,
      acknowledged: r.acknowledged,
      withinWindow: r.withinWindow,
      rate: r.rate,
      acknowledgedWithinOneDay: r.acknowledgedWithinOneDay,
      oneDayRate: r.oneDayRate,
    });
    expect(figures.children.map(pick)).toEqual([
      {
        sector: 'banking',
        advisoryId: child.banking,
        status: 'awaiting_secretariat',
        recipients: 0,
        delivered: 0,
        acknowledged: 0,
        withinWindow: 0,
        rate: 0,
        acknowledgedWithinOneDay: 0,
        oneDayRate: null,
      },
      {
        sector: 'chemical',
        advisoryId: child.chemical,
        status: 'distributed',
        recipients: 11,
        delivered: 11,
        acknowledged: 2,
        withinWindow: 2,
        rate: 2 / 11,
        acknowledgedWithinOneDay: 2,
        oneDayRate: 2 / 11,
      },
      {
        sector: 'gas',
        advisoryId: child.gas,
        status: 'distributed',
        recipients: 3,
        delivered: 3,
        acknowledged: 1,
        withinWindow: 1,
        rate: 1 / 3,
        acknowledgedWithinOneDay: 1,
        oneDayRate: 1 / 3,
      },
    ]);
    expect(figures.children[0].forwarded.ministry).not.toBeNull();
    expect(figures.children[0].forwarded.secretariat).toBeNull();
    expect(figures.overall).toEqual({
      sectors: 3,
      distributed: 2,
      recipients: 14,
      delivered: 14,
      acknowledged: 3,
      withinWindow: 3,
      rate: 3 / 14,
      acknowledgedWithinOneDay: 3,
      oneDayRate: 3 / 14,
    });
    // METI sees chemical and gas and the overall over them; FSA banking alone.
    const meti = (await as(METI, 'GET', `/advisories/${parent}`)).body;
    expect(meti.sectors).toEqual(['chemical', 'gas']);
    expect(meti.overall).toMatchObject({ sectors: 2, recipients: 14, acknowledged: 3, rate: 3 / 14 });
    const fsa = (await as(FSA, 'GET', `/advisories/${parent}`)).body;
    expect(fsa.sectors).toEqual(['banking']);
    expect(JSON.stringify(fsa)).not.toContain(child.chemical);
    expect(JSON.stringify(fsa)).not.toContain(child.gas);
  });

  it("a sector sees only its own chain: another sector's is 404, and so is the parent below the ministry", async () => {
    const gasMember = { role: 'member', org: 'gas-member-2' };
    expect((await as(gasMember, 'GET', `/advisories/${child.gas}`)).status).toBe(200);
    expect((await as(gasMember, 'GET', `/advisories/${child.chemical}`)).status).toBe(404);
    expect((await as(gasMember, 'GET', `/advisories/${child.banking}`)).status).toBe(404);
    expect((await as(gasMember, 'GET', `/advisories/${parent}`)).status).toBe(404);
    const chemMember = { role: 'member', org: 'minato-polymer' };
    expect((await as(chemMember, 'GET', `/advisories/${child.gas}`)).status).toBe(404);
    expect((await as(SECRETARIAT.banking, 'GET', `/advisories/${child.chemical}`)).status).toBe(404);
    expect((await as(SECRETARIAT.banking, 'GET', `/advisories/${child.banking}`)).status).toBe(200);
    expect((await as(SECRETARIAT.banking, 'GET', `/advisories/${parent}`)).status).toBe(404);
    expect((await as(MHLW, 'GET', `/advisories/${parent}`)).status).toBe(404);
    expect((await as(FSA, 'GET', `/advisories/${child.gas}`)).status).toBe(404);
    // A gas member's list holds its own chain and not chemical's.
    const items = (await as(gasMember, 'GET', '/advisories')).body.items as { id: string }[];
    expect(items.map((i) => i.id)).toContain(child.gas);
    expect(items.map((i) => i.id)).not.toContain(child.chemical);
  });

  it('lists the advisory as one row for NISC and a ministry (the parent in forks, each child naming it), a sector its own child only', async () => {
    type Row = { id: string; sector: string; parentId?: string };
    type Fork = {
      id: string;
      view: string;
      title: string;
      sectors: string[];
      children: { sector: string; advisoryId: string; status: string; recipients: number }[];
      overall: { sectors: number; distributed: number; recipients: number };
    };
    const list = async (who: Record<string, string>, query = '') => {
      const res = await as(who, 'GET', `/advisories${query}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as { items: Row[]; forks: Fork[] };
    };
    const nisc = await list(NISC);
    const ours = nisc.items.filter((r) => Object.values(child).includes(r.id));
    expect(ours.map((r) => [r.sector, r.parentId]).sort()).toEqual([
      ['banking', parent],
      ['chemical', parent],
      ['gas', parent],
    ]);
    const niscFork = nisc.forks.find((f) => f.id === parent);
    expect(niscFork).toMatchObject({
      view: 'fork',
      title: ADVISORY.title,
      sectors: ['banking', 'chemical', 'gas'],
    });
    expect(niscFork?.children.map((c) => [c.sector, c.advisoryId])).toEqual([
      ['banking', child.banking],
      ['chemical', child.chemical],
      ['gas', child.gas],
    ]);
    // The overall counts are the children's, as GET /advisories/{parent} gives them.
    const view = (await as(NISC, 'GET', `/advisories/${parent}`)).body;
    expect(niscFork?.overall).toEqual({
      sectors: 3,
      distributed: view.overall.distributed,
      recipients: view.overall.recipients,
    });
    expect(niscFork?.children.map((c) => c.status)).toEqual(
      view.children.map((c: { status: string }) => c.status),
    );
    // The parent also comes with a page holding one child only (NISC naming a sector)…
    const gasOnly = await list(NISC, '?sector=gas');
    expect(gasOnly.items.find((r) => r.id === child.gas)?.parentId).toBe(parent);
    // …over the sector named only.
    expect(gasOnly.forks.find((f) => f.id === parent)?.sectors).toEqual(['gas']);

    // METI oversees chemical and gas: the parent with those two sectors, banking's chain not there.
    const meti = await list(METI);
    const metiFork = meti.forks.find((f) => f.id === parent);
    expect(metiFork?.sectors).toEqual(['chemical', 'gas']);
    expect(JSON.stringify(meti)).not.toContain(child.banking);
    expect(metiFork?.overall.sectors).toBe(2);

    // A secretariat and a member of one sector see their own child as before: no parent, no grouping.
    for (const who of [SECRETARIAT.gas, { role: 'member', org: 'gas-member-2' }]) {
      const one = await list(who);
      const own = one.items.find((r) => r.id === child.gas);
      expect(own).toBeDefined();
      expect(own?.parentId).toBeUndefined();
      expect(one.forks).toEqual([]);
      expect(JSON.stringify(one)).not.toContain(parent);
      expect(JSON.stringify(one)).not.toContain(child.chemical);
    }
    // FSA oversees four sectors, banking the fork's only one: the parent with banking's chain alone.
    const fsa = await list(FSA);
    expect(fsa.forks.find((f) => f.id === parent)?.sectors).toEqual(['banking']);
    expect(fsa.items.find((r) => r.id === child.banking)?.parentId).toBe(parent);
    expect(JSON.stringify(fsa)).not.toContain(child.gas);
    expect(JSON.stringify(fsa)).not.toContain(child.chemical);
  });
});

describe('a drill in several sectors (POST /drills with sectors)', () => {
  it('NISC starts one drill in gas and banking: a fork whose chains are drills, each in its sector’s drill list and report', async () => {
    const drill = { title: 'Drill: all-sector transmission', body: 'Acknowledge, please.', tlp: 'GREEN' };
    // The secretariat of one sector cannot; an unknown sector is a 400 naming it; neither writes.
    expect((await as(SECRETARIAT.gas, 'POST', '/drills', { ...drill, sectors: ['gas'] })).status).toBe(403);
    const bad = await as(NISC, 'POST', '/drills', { ...drill, sectors: ['gas', 'atlantis'] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['sectors.1']);
    expect((await as(NISC, 'POST', '/drills', { ...drill, drill: false, sectors: ['gas'] })).status).toBe(
      400,
    );

    const res = await as(NISC, 'POST', '/drills', { ...drill, sectors: ['gas', 'banking'] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ kind: 'fork', drill: true });
    expect(res.headers.get('location')).toBe(`/advisories/${res.body.id}`);
    const ids = Object.fromEntries(
      (res.body.children as { sector: string; advisoryId: string }[]).map((c) => [c.sector, c.advisoryId]),
    );
    expect(Object.keys(ids).sort()).toEqual(['banking', 'gas']);
    await stack.settle();
    for (const sector of ['gas', 'banking'] as const) {
      const id = ids[sector];
      const view = await as(NISC, 'GET', `/advisories/${id}`);
      expect(view.body).toMatchObject({
        sector,
        parentId: res.body.id,
        drill: true,
        status: 'awaiting_ministry',
      });
      // The sector's secretariat lists it among its drills, and its report answers.
      const drills = await as(SECRETARIAT[sector], 'GET', '/drills');
      expect(drills.body.items.map((d: { id: string }) => d.id)).toContain(id);
      expect((await as(SECRETARIAT[sector], 'GET', `/drills/${id}/report`)).status).toBe(200);
    }
    // Not in another sector's drills.
    const chemical = await as(SECRETARIAT.chemical, 'GET', '/drills');
    expect(JSON.stringify(chemical.body)).not.toContain(ids.gas);
    const parentView = await as(NISC, 'GET', `/advisories/${res.body.id}`);
    expect(parentView.body).toMatchObject({ kind: 'fork', drill: true });
  });
});
