import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import { VPN_ADVISORY } from './support/fixtures.ts';
import { apiClient, eventually, startTestStack } from './support/local-api.ts';

// GET /advisories on the local stack at CEPTOAR_TIME_SCALE=3600 (an hour per second), with
// VPN_ADVISORY's slow deadlines unless a test shortens the window.
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url);
});
afterAll(async () => {
  await stack?.stop();
});

const issue = (role: string, body: Record<string, unknown> = {}) => api.advisory(role, body);

async function forward(role: string, id: string) {
  const res = await api.call('POST', `/advisories/${id}/forward`, { token: await api.token(role), body: {} });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

// biome-ignore lint/suspicious/noExplicitAny: rows are read field by field, as a curl user would.
type Row = any;

async function list(role: string, org?: string, query = ''): Promise<Row[]> {
  // Lists read the heads, which are projected from the log moments after each command.
  await stack.settle();
  const res = await api.call('GET', `/advisories?limit=200${query}`, { token: await api.token(role, org) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items;
}

const rowOf = async (id: string, role: string, org?: string): Promise<Row | undefined> =>
  (await list(role, org)).find((r) => r.id === id);

describe('GET /advisories', () => {
  it('shows the ministry what awaits its forward, with the deadline; members see nothing before distribution', async () => {
    const id = await issue('nisc', { audience: ['asahi-petrochem', 'kaigan-chemical'] });
    const ministry = await rowOf(id, 'ministry');
    expect(ministry).toMatchObject({
      view: 'chain',
      title: VPN_ADVISORY.title,
      tlp: 'AMBER',
      drill: false,
      severity: 'low',
      status: 'awaiting_ministry',
      pending: { hop: 'ministry', escalations: 0 },
      awaiting: { action: 'forward' },
      recipients: 0,
      closedWindow: null,
    });
    expect(ministry.awaiting.dueAt).toBe(ministry.pending.dueAt);
    expect(Date.parse(ministry.pending.dueAt)).toBeGreaterThan(Date.parse(ministry.createdAt));
    // The secretariat sees the chain too, but it is not the secretariat's turn yet.
    expect(await rowOf(id, 'secretariat')).toMatchObject({ pending: { hop: 'ministry' }, awaiting: null });
    expect(await rowOf(id, 'member', 'asahi-petrochem')).toBeUndefined();

    await forward('ministry', id);
    expect(await rowOf(id, 'ministry')).toMatchObject({ status: 'awaiting_secretariat', awaiting: null });
    expect(await rowOf(id, 'secretariat')).toMatchObject({
      pending: { hop: 'secretariat' },
      awaiting: { action: 'forward' },
    });
  });

  it("gives a member its own organisation's part: recipient, acknowledgement due and done, in one list", async () => {
    const id = await issue('nisc', { audience: ['asahi-petrochem', 'kaigan-chemical'] });
    await forward('ministry', id);
    await forward('secretariat', id);

    const asahi = await rowOf(id, 'member', 'asahi-petrochem');
    expect(asahi).toMatchObject({
      view: 'member',
      status: 'distributed',
      recipient: true,
      acknowledgedAt: null,
      missed: false,
      awaiting: { action: 'acknowledge' },
    });
    expect(asahi.awaiting.dueAt).toBe(asahi.ackDueAt);
    // A member never learns the recipient list or the chain's hops from the list.
    expect(asahi).not.toHaveProperty('recipients');
    expect(asahi).not.toHaveProperty('pending');
    // TLP:AMBER: an organisation outside the audience does not see it at all.
    expect(await rowOf(id, 'member', 'minato-polymer')).toBeUndefined();

    const receipt = await api.call('POST', `/advisories/${id}/receipt`, {
      token: await api.token('member', 'asahi-petrochem'),
      body: {},
    });
    expect(receipt.status).toBe(200);
    const after = await rowOf(id, 'member', 'asahi-petrochem');
    expect(after.awaiting).toBeNull();
    expect(Date.parse(after.acknowledgedAt)).toBeGreaterThanOrEqual(Date.parse(asahi.distributedAt));
    // Kaigan's row is its own: still waiting.
    expect(await rowOf(id, 'member', 'kaigan-chemical')).toMatchObject({
      acknowledgedAt: null,
      awaiting: { action: 'acknowledge' },
    });
    expect(await rowOf(id, 'secretariat')).toMatchObject({ recipients: 2, pending: null, awaiting: null });
  });

  it('shows a TLP:GREEN advisory to every member, marking whether its organisation is a recipient', async () => {
    const id = await issue('secretariat', { tlp: 'GREEN', audience: ['seto-olefin'] });
    expect(await rowOf(id, 'member', 'seto-olefin')).toMatchObject({ recipient: true });
    expect(await rowOf(id, 'member', 'minato-polymer')).toMatchObject({
      recipient: false,
      acknowledgedAt: null,
      awaiting: null,
    });
  });

  it('counts the acknowledged and the rate once the window closed, and marks a silent member missed', async () => {
    const id = await issue('secretariat', {
      tlp: 'GREEN',
      audience: ['oita-petrochem', 'tokuyama-bay'],
      ackWithinHours: 2,
    });
    await api.call('POST', `/advisories/${id}/receipt`, {
      token: await api.token('member', 'oita-petrochem'),
      body: {},
    });
    const closed = await eventually(
      async () => {
        const row = await rowOf(id, 'secretariat');
        return row?.status === 'closed' ? row : undefined;
      },
      30_000,
      'the window to close',
    );
    expect(closed.closedWindow).toEqual({ acknowledged: 1, rate: 0.5 });
    expect(await rowOf(id, 'member', 'tokuyama-bay')).toMatchObject({ missed: true, awaiting: null });
    expect(await rowOf(id, 'member', 'oita-petrochem')).toMatchObject({ missed: false });
  });

  it('filters drills with ?drill=, newest first, and pages with limit and cursor', async () => {
    const real = await issue('secretariat', { tlp: 'CLEAR' });
    const drill = await issue('secretariat', { tlp: 'CLEAR', drill: true });
    const drills = await list('secretariat', undefined, '&drill=true');
    expect(drills.map((r) => r.id)).toContain(drill);
    expect(drills.every((r) => r.drill === true)).toBe(true);
    const reals = await list('secretariat', undefined, '&drill=false');
    expect(reals.map((r) => r.id)).toContain(real);
    expect(reals.every((r) => r.drill === false)).toBe(true);

    const all = await list('secretariat');
    expect(all.map((r) => r.id).slice(0, 2)).toEqual([drill, real]);
    const times = all.map((r) => r.createdAt);
    expect(times).toEqual([...times].sort().reverse());

    const token = await api.token('secretariat');
    const first = await api.call('GET', '/advisories?limit=1', { token });
    expect(first.body.items.map((r: Row) => r.id)).toEqual([drill]);
    const second = await api.call('GET', `/advisories?limit=1&cursor=${first.body.cursor}`, { token });
    expect(second.body.items.map((r: Row) => r.id)).toEqual([real]);
  });

  it('answers ?awaiting=true with every open advisory awaiting the caller, however many came after it', async () => {
    const old = await issue('nisc', { audience: ['sakai-synthetics'] });
    await forward('ministry', old);
    await forward('secretariat', old);
    // Newer advisories push it off the first page of the plain list.
    for (let i = 0; i < 3; i++) await issue('secretariat', { tlp: 'CLEAR', audience: ['kaigan-chemical'] });
    const token = await api.token('member', 'sakai-synthetics');
    const firstPage = await api.call('GET', '/advisories?limit=2', { token });
    expect(firstPage.body.items.map((r: Row) => r.id)).not.toContain(old);

    const awaiting = await list('member', 'sakai-synthetics', '&awaiting=true');
    expect(awaiting.map((r) => r.id)).toContain(old);
    expect(awaiting.every((r) => r.awaiting?.action === 'acknowledge')).toBe(true);
    expect((await api.call('GET', '/advisories?awaiting=true', { token })).body.cursor).toBeNull();
    // Another member, not a recipient of it: not awaiting.
    expect((await list('member', 'kaigan-chemical', '&awaiting=true')).map((r) => r.id)).not.toContain(old);

    // Acknowledged: no longer awaiting, still in the list.
    await api.call('POST', `/advisories/${old}/receipt`, { token, body: {} });
    expect((await list('member', 'sakai-synthetics', '&awaiting=true')).map((r) => r.id)).not.toContain(old);
    expect(await rowOf(old, 'member', 'sakai-synthetics')).toMatchObject({ awaiting: null });
  });

  it('leaves a closed advisory out of ?awaiting=true (it leaves the open index)', async () => {
    const id = await issue('secretariat', {
      tlp: 'GREEN',
      audience: ['mizushima-ethylene'],
      ackWithinHours: 1,
    });
    expect((await list('member', 'mizushima-ethylene', '&awaiting=true')).map((r) => r.id)).toContain(id);
    await eventually(
      async () => (await rowOf(id, 'secretariat'))?.status === 'closed',
      30_000,
      'the window to close',
    );
    expect((await list('member', 'mizushima-ethylene', '&awaiting=true')).map((r) => r.id)).not.toContain(id);
    expect(await rowOf(id, 'member', 'mizushima-ethylene')).toMatchObject({ status: 'closed', missed: true });
  });

  it('refuses bad query parameters with a 400 naming them', async () => {
    const token = await api.token('secretariat');
    for (const [query, path] of [
      ['drill=yes', 'drill'],
      ['awaiting=1', 'awaiting'],
      ['limit=0', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
    ] as const) {
      const res = await api.call('GET', `/advisories?${query}`, { token });
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    }
    expect((await api.call('GET', '/advisories')).status).toBe(401);
  });
});
