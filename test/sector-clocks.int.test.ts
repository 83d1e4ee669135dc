import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import { RANSOMWARE_REPORT } from './support/fixtures.ts';
import { apiClient, startTestStack } from './support/local-api.ts';

// A sector's own clocks: NISC gives banking NIS2's reporting stages and its own relay deadlines;
// banking's new incidents run under them, chemical's keep the deployment's.
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
const HOUR = 3_600_000;

const hours = (h: number) => ({ critical: h, high: h, medium: h, low: h });
const BANKING_POLICY = {
  deadlineHours: {
    secretariat: { critical: 1, high: 2, medium: 5, low: 10 },
    member: hours(24),
    ministry: hours(24),
    nisc: hours(24),
    ministry_forward: hours(24),
    secretariat_forward: hours(24),
  },
  maxEscalations: 1,
};
const BANKING = {
  names: { ja: '銀行等CEPTOAR', en: 'Banking CEPTOAR' },
  secretariat: 'banking-secretariat',
  ministry: 'fsa',
  members: 1487,
};

async function token(body: Record<string, string>): Promise<string> {
  const res = await api.call<{ token: string }>('POST', '/local/token', { body });
  expect(res.status).toBe(200);
  return res.body.token;
}

beforeAll(async () => {
  // Time scale 1: the deadlines below are the policy's hours as written.
  stack = await startTestStack({ timeScale: 1 });
  api = apiClient(stack.url);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe('PUT /sectors/{id}', () => {
  it('refuses everyone but NISC, an unknown preset and an unknown sector, writing nothing', async () => {
    const nisc = await token({ role: 'nisc' });
    const before = await api.call('GET', '/sectors/banking', { token: nisc });
    expect(before.status).toBe(200);
    expect(before.body.preset).toBe('japan-ceptoar');

    const secretariat = await token({ role: 'secretariat', sector: 'banking' });
    const ministry = await token({ role: 'ministry', org: 'fsa' });
    for (const t of [secretariat, ministry]) {
      const res = await api.call('PUT', '/sectors/banking', {
        token: t,
        body: { ...BANKING, preset: 'nis2' },
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const unknownPreset = await api.call('PUT', '/sectors/banking', {
      token: nisc,
      body: { ...BANKING, preset: 'gdpr' },
    });
    expect(unknownPreset.status).toBe(400);
    expect(unknownPreset.body.errors).toEqual([expect.objectContaining({ path: 'preset' })]);
    const wrongMinistry = await api.call('PUT', '/sectors/banking', {
      token: nisc,
      body: { ...BANKING, ministry: 'meti' },
    });
    expect(wrongMinistry.status).toBe(400);
    const badPolicy = await api.call('PUT', '/sectors/banking', {
      token: nisc,
      body: { ...BANKING, relayPolicy: { deadlineHours: {}, maxEscalations: 99 } },
    });
    expect(badPolicy.status).toBe(400);
    const unknownSector = await api.call('PUT', '/sectors/shipping', { token: nisc, body: BANKING });
    expect(unknownSector.status).toBe(404);

    await stack.settle();
    const after = await api.call('GET', '/sectors/banking', { token: nisc });
    expect(after.body).toEqual(before.body);
  });

  it("sets banking's preset and relay policy; a repeat changes nothing", async () => {
    const nisc = await token({ role: 'nisc' });
    const body = { ...BANKING, preset: 'nis2', relayPolicy: BANKING_POLICY };
    const first = await api.call('PUT', '/sectors/banking', { token: nisc, body });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      id: 'banking',
      preset: 'nis2',
      relayPolicy: BANKING_POLICY,
      changed: true,
    });
    const again = await api.call('PUT', '/sectors/banking', { token: nisc, body });
    expect(again.body).toMatchObject({ changed: false, version: first.body.version });
    await stack.settle();
    const read = await api.call('GET', '/sectors/banking', {
      token: await token({ role: 'secretariat', sector: 'banking' }),
    });
    expect(read.body).toMatchObject({ preset: 'nis2', relayPolicy: BANKING_POLICY });
  });
});

describe("a sector's new incidents run under its clocks", () => {
  it("banking's report runs under NIS2 and its own secretariat deadline; chemical's under the deployment's", async () => {
    const banking = await api.call('POST', '/incidents', {
      token: await token({ role: 'member', org: 'banking-member-1' }),
      body: { ...RANSOMWARE_REPORT, severity: 'low' },
    });
    expect(banking.status, JSON.stringify(banking.body)).toBe(201);
    const chemical = await api.call('POST', '/incidents', {
      token: await token({ role: 'member', org: 'asahi-petrochem' }),
      body: { ...RANSOMWARE_REPORT, severity: 'low' },
    });
    expect(chemical.status).toBe(201);

    const b = await api.call('GET', `/incidents/${banking.body.id}`, {
      token: await token({ role: 'secretariat', sector: 'banking' }),
    });
    expect(b.body.preset).toBe('nis2');
    expect(b.body.stages.map((s: { id: string }) => s.id)).toContain('early-warning');
    const bDue = Date.parse(b.body.hops.secretariat.dueAt) - Date.parse(b.body.createdAt);
    expect(Math.abs(bDue - 10 * HOUR)).toBeLessThan(60_000);

    const c = await api.call('GET', `/incidents/${chemical.body.id}`, {
      token: await token({ role: 'secretariat' }),
    });
    expect(c.body.preset).toBe('japan-ceptoar');
    const cDue = Date.parse(c.body.hops.secretariat.dueAt) - Date.parse(c.body.createdAt);
    expect(Math.abs(cDue - 72 * HOUR)).toBeLessThan(60_000);
  });

  it('leaves incidents already reported on the clocks they recorded', async () => {
    const nisc = await token({ role: 'nisc' });
    const member = await token({ role: 'member', org: 'banking-member-2' });
    const before = await api.call('POST', '/incidents', {
      token: member,
      body: { ...RANSOMWARE_REPORT, severity: 'low' },
    });
    expect(before.status).toBe(201);
    const reset = await api.call('PUT', '/sectors/banking', {
      token: nisc,
      body: { ...BANKING, preset: 'japan-ceptoar' },
    });
    expect(reset.body).toMatchObject({ preset: 'japan-ceptoar', changed: true });
    expect(reset.body.relayPolicy).toBeUndefined();
    const after = await api.call('POST', '/incidents', {
      token: member,
      body: { ...RANSOMWARE_REPORT, severity: 'low' },
    });
    const secretariat = await token({ role: 'secretariat', sector: 'banking' });
    const old = await api.call('GET', `/incidents/${before.body.id}`, { token: secretariat });
    const fresh = await api.call('GET', `/incidents/${after.body.id}`, { token: secretariat });
    expect(old.body.preset).toBe('nis2');
    expect(Date.parse(old.body.hops.secretariat.dueAt) - Date.parse(old.body.createdAt)).toBeLessThan(
      10 * HOUR + 60_000,
    );
    expect(fresh.body.preset).toBe('japan-ceptoar');
    expect(Date.parse(fresh.body.hops.secretariat.dueAt) - Date.parse(fresh.body.createdAt)).toBeGreaterThan(
      71 * HOUR,
    );
  });
});
