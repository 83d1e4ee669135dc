import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import { RANSOMWARE_REPORT } from './support/fixtures.ts';
import { apiClient, startTestStack } from './support/local-api.ts';

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
let incident: string; // reported by asahi-petrochem, awaiting the secretariat
let approved: string; // reported by asahi-petrochem, awaiting the ministry

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url);
  incident = await api.report('asahi-petrochem');
  approved = await api.report('asahi-petrochem');
  const res = await api.call('POST', `/incidents/${approved}/decision`, {
    token: await api.token('secretariat'),
    body: { decision: 'approve' },
  });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await stack?.stop();
});

type Who = 'own member' | 'other member' | 'secretariat' | 'ministry' | 'nisc' | 'auditor';
const everyone: Who[] = ['own member', 'other member', 'secretariat', 'ministry', 'nisc', 'auditor'];
const tokenOf = (who: Who) =>
  who === 'own member'
    ? api.token('member', 'asahi-petrochem', 'matrix-asahi')
    : who === 'other member'
      ? api.token('member', 'kaigan-chemical', 'matrix-kaigan')
      : api.token(who, undefined, `matrix-${who}`);

/**
 * How many events people caused on a stream, read as the auditor: proof that a refused
 * request wrote nothing (the workflow and the notifier append on their own meanwhile).
 */
const versionOf = async (id: string) => (await api.events(id)).filter((e) => e.actor.kind === 'user').length;

describe('who may do what (role × route × ownership)', () => {
  // Each row: a request that must not change anything, and the status each caller gets.
  const readRows: [string, string, () => string, Record<Who, number>][] = [
    [
      'GET',
      '/incidents',
      () => '',
      { 'own member': 200, 'other member': 200, secretariat: 200, ministry: 200, nisc: 200, auditor: 200 },
    ],
    [
      'GET',
      '/incidents/{id}',
      () => incident,
      { 'own member': 200, 'other member': 404, secretariat: 200, ministry: 404, nisc: 404, auditor: 200 },
    ],
    [
      'GET',
      '/incidents/{id} (approved)',
      () => approved,
      { 'own member': 200, 'other member': 404, secretariat: 200, ministry: 200, nisc: 404, auditor: 200 },
    ],
    [
      'GET',
      '/incidents/{id}/events',
      () => incident,
      { 'own member': 200, 'other member': 404, secretariat: 200, ministry: 403, nisc: 403, auditor: 200 },
    ],
  ];
  for (const [method, route, id, expected] of readRows) {
    for (const who of everyone) {
      it(`${method} ${route} → ${expected[who]} for the ${who}`, async () => {
        const path = route.replace(' (approved)', '').replace('{id}', id());
        const res = await api.call(method, path, { token: await tokenOf(who) });
        expect(res.status).toBe(expected[who]);
      });
    }
  }

  const writeRows: [string, unknown, Record<Who, number>][] = [
    [
      'follow-ups',
      { description: 'x', recoveryStatus: 'investigating' },
      { 'own member': 201, 'other member': 404, secretariat: 403, ministry: 403, nisc: 403, auditor: 403 },
    ],
    [
      'decision',
      { decision: 'approve' },
      { 'own member': 403, 'other member': 403, secretariat: 200, ministry: 403, nisc: 403, auditor: 403 },
    ],
    [
      'receipt',
      {},
      { 'own member': 403, 'other member': 403, secretariat: 403, ministry: 404, nisc: 404, auditor: 403 },
    ],
    [
      'close',
      {},
      { 'own member': 409, 'other member': 404, secretariat: 409, ministry: 403, nisc: 403, auditor: 403 },
    ],
  ];
  for (const [action, body, expected] of writeRows) {
    for (const who of everyone) {
      it(`POST /incidents/{id}/${action} → ${expected[who]} for the ${who}`, async () => {
        // A fresh incident per cell, so one cell's success does not change another's answer.
        const id = await api.report('asahi-petrochem');
        const before = await versionOf(id);
        const res = await api.call('POST', `/incidents/${id}/${action}`, { token: await tokenOf(who), body });
        expect(res.status).toBe(expected[who]);
        if (res.status >= 400) {
          expect(res.headers.get('content-type')).toBe('application/problem+json');
          expect(await versionOf(id)).toBe(before);
        }
      });
    }
  }

  it('POST /incidents is for members only', async () => {
    for (const who of ['secretariat', 'ministry', 'nisc', 'auditor'] as const) {
      const res = await api.call('POST', '/incidents', {
        token: await tokenOf(who),
        body: RANSOMWARE_REPORT,
      });
      expect(res.status).toBe(403);
    }
  });

  it("lists only the incidents each caller may see: a member its own company's, the ministry what reached it", async () => {
    const other = await api.report('kaigan-chemical');
    const ids = async (who: Who) =>
      (
        (await api.call('GET', '/incidents?limit=200', { token: await tokenOf(who) })).body.items as {
          id: string;
        }[]
      ).map((i) => i.id);
    expect(await ids('own member')).toEqual(expect.arrayContaining([incident, approved]));
    expect(await ids('own member')).not.toContain(other);
    expect(await ids('other member')).toContain(other);
    expect(await ids('other member')).not.toContain(incident);
    expect(await ids('ministry')).toContain(approved);
    expect(await ids('ministry')).not.toContain(incident);
    expect(await ids('nisc')).not.toContain(approved);
    expect(await ids('secretariat')).toEqual(expect.arrayContaining([incident, approved, other]));
  });
});

describe('bad input gets a clear problem and writes nothing', () => {
  const expectProblem = (
    res: { status: number; headers: Headers; body: Record<string, unknown> },
    status: number,
  ) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  };
  const incidentsOf = async (org: string) =>
    (await api.call('GET', '/incidents?limit=200', { token: await api.token('member', org, `count-${org}`) }))
      .body.items.length;

  it('400: a body that is not JSON', async () => {
    const before = await incidentsOf('seto-olefin');
    const res = await api.call('POST', '/incidents', {
      token: await api.token('member', 'seto-olefin'),
      raw: '{"title": "x",',
    });
    expectProblem(res, 400);
    expect(await incidentsOf('seto-olefin')).toBe(before);
  });

  it('400: every field that breaks the contract is named', async () => {
    const res = await api.call('POST', '/incidents', {
      token: await api.token('member', 'seto-olefin'),
      body: {
        ...RANSOMWARE_REPORT,
        title: '',
        category: 'meteor',
        occurredAt: 'yesterday',
        affectedSystems: [],
        tlp: 'PURPLE',
        contact: { name: 'x', email: 'not-an-address', phone: '090-1234-5678' },
        extra: true,
      },
    });
    expectProblem(res, 400);
    const paths = (res.body.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(
      expect.arrayContaining([
        'affectedSystems',
        'category',
        'contact.email',
        'contact.phone',
        'occurredAt',
        'title',
        'tlp',
      ]),
    );
    expect(JSON.stringify(res.body.errors)).toMatch(/extra/);
    expect(await incidentsOf('seto-olefin')).toBe(0);
  });

  it('400: detection before occurrence, and times in the future', async () => {
    const token = await api.token('member', 'seto-olefin');
    const before = await api.call('POST', '/incidents', {
      token,
      body: { ...RANSOMWARE_REPORT, occurredAt: '2026-11-26T02:00:00Z', detectedAt: '2026-11-26T01:00:00Z' },
    });
    expectProblem(before, 400);
    expect(before.body.errors).toEqual([{ path: 'detectedAt', message: 'must not be before occurredAt' }]);
    const future = await api.call('POST', '/incidents', {
      token,
      body: { ...RANSOMWARE_REPORT, occurredAt: '2099-01-01T00:00:00Z', detectedAt: '2099-01-01T00:00:00Z' },
    });
    expectProblem(future, 400);
    expect(await incidentsOf('seto-olefin')).toBe(0);
  });

  it('400: a malformed Idempotency-Key, limit or cursor', async () => {
    const token = await api.token('member', 'seto-olefin');
    expectProblem(
      await api.call('POST', '/incidents', {
        token,
        body: RANSOMWARE_REPORT,
        headers: { 'idempotency-key': 'x'.repeat(300) },
      }),
      400,
    );
    expectProblem(await api.call('GET', '/incidents?limit=0', { token }), 400);
    expectProblem(await api.call('GET', '/incidents?cursor=not-a-cursor', { token }), 400);
    expect(await incidentsOf('seto-olefin')).toBe(0);
  });

  it('401: no token, a forged token, an expired token', async () => {
    expectProblem(await api.call('GET', '/incidents'), 401);
    expectProblem(await api.call('GET', '/incidents', { token: 'not.a.jwt' }), 401);
    const forged = await new SignJWT({ 'cognito:groups': ['secretariat'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setIssuer('ceptoar-relay-local')
      .setAudience('ceptoar-relay')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a key that is not the local one'));
    expectProblem(
      await api.call('POST', `/incidents/${incident}/decision`, {
        token: forged,
        body: { decision: 'approve' },
      }),
      401,
    );
    const { localSigningKey } = await import('../local/auth.ts');
    const expired = await new SignJWT({ 'cognito:groups': ['secretariat'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('late')
      .setIssuer('ceptoar-relay-local')
      .setAudience('ceptoar-relay')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(localSigningKey(stack.dataDir));
    expectProblem(await api.call('GET', '/incidents', { token: expired }), 401);
    expect(
      (await api.call('GET', `/incidents/${incident}`, { token: await api.token('secretariat') })).body
        .status,
    ).toBe('awaiting_secretariat');
  });

  it('404: an unknown incident, a malformed id, an unknown route', async () => {
    const token = await api.token('secretariat');
    expectProblem(await api.call('GET', '/incidents/00000000-0000-4000-8000-000000000000', { token }), 404);
    expectProblem(await api.call('GET', '/incidents/..%2F..%2Fetc', { token }), 404);
    expectProblem(await api.call('GET', '/nope', { token }), 404);
  });

  it('409: a receipt before the relay reached the ministry is not found; a second one is a conflict', async () => {
    const ministry = await api.token('ministry');
    const id = await api.report();
    await api.call('POST', `/incidents/${id}/decision`, {
      token: await api.token('secretariat'),
      body: { decision: 'approve' },
    });
    expect((await api.call('POST', `/incidents/${id}/receipt`, { token: ministry, body: {} })).status).toBe(
      200,
    );
    const before = await versionOf(id);
    expectProblem(await api.call('POST', `/incidents/${id}/receipt`, { token: ministry, body: {} }), 409);
    expect(await versionOf(id)).toBe(before);
  });

  it('413: a body over 256 KB', async () => {
    const res = await api.call('POST', '/incidents', {
      token: await api.token('member', 'seto-olefin'),
      body: { ...RANSOMWARE_REPORT, description: 'あ'.repeat(100_000) },
    });
    expectProblem(res, 413);
    expect(await incidentsOf('seto-olefin')).toBe(0);
  });

  it('/local/token refuses a member without an org', async () => {
    const res = await api.call('POST', '/local/token', { body: { role: 'member' } });
    expectProblem(res, 400);
  });
});
