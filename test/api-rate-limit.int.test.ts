import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import { RANSOMWARE_REPORT } from './support/fixtures.ts';
import { apiClient, startTestStack } from './support/local-api.ts';

// Tight on purpose, so a flood shows in a few dozen requests: a caller bursts 5, its organisation 12.
const LIMITS = { caller: { perSecond: 1, burst: 5 }, org: { perSecond: 2, burst: 12 } };
const FLOOD = 20;

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  stack = await startTestStack({ rateLimits: JSON.stringify(LIMITS) });
  api = apiClient(stack.url);
});
afterAll(async () => {
  await stack?.stop();
});

const report = (token: string) =>
  api.call('POST', '/incidents', { token, body: { ...RANSOMWARE_REPORT, severity: 'low' } });

describe('rate limits per caller and per organisation', () => {
  it('refuses a flooding member with 429 while another member’s report still goes through', async () => {
    const flooder = await api.token('member', 'asahi-petrochem', 'flooding-script');
    const colleague = await api.token('member', 'asahi-petrochem', 'asahi-duty-officer');
    const other = await api.token('member', 'kaigan-chemical', 'kaigan-duty-officer');

    const flood = await Promise.all(Array.from({ length: FLOOD }, () => report(flooder)));
    const statuses = flood.map((r) => r.status);
    const refused = flood.filter((r) => r.status === 429);
    // Its burst, and what refilled while the flood was sent, and no more.
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(LIMITS.caller.burst);
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(LIMITS.caller.burst + 3);
    expect(refused.length + statuses.filter((s) => s === 201).length).toBe(FLOOD);
    for (const r of refused) {
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(r.body).toMatchObject({ type: 'about:blank', title: 'Too Many Requests', status: 429 });
    }

    // Still flooding: the member of another organisation, and a colleague of the flooder, are served.
    const [stillRefused, fromOther, fromColleague] = await Promise.all([
      report(flooder),
      report(other),
      report(colleague),
    ]);
    expect(stillRefused.status).toBe(429);
    expect(fromOther.status).toBe(201);
    expect(fromColleague.status).toBe(201);
  });

  it('serves the flooder again once it waits as long as Retry-After says', async () => {
    const flooder = await api.token('member', 'minato-polymer', 'patient-script');
    let last = await api.call('GET', '/incidents', { token: flooder });
    while (last.status !== 429) last = await api.call('GET', '/incidents', { token: flooder });
    const wait = Number(last.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, wait * 1000));
    expect((await api.call('GET', '/incidents', { token: flooder })).status).toBe(200);
  });

  it('counts the secretariat, which has no organisation claim, as one organisation', async () => {
    // Four people, each within its own burst (5), together 20: past the organisation's 12 by more than the
    // 2 a second it regains, however slowly a loaded machine serves them (16 were once all served).
    const tokens = await Promise.all(
      [0, 1, 2, 3].map((i) => api.token('secretariat', undefined, `secretariat-${i}`)),
    );
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api.call('GET', '/incidents', { token: tokens[i % 4] })),
    );
    expect(answers.map((r) => r.status)).toContain(429);
  });

  it("keeps the auditor CLI's API reads going through 429s, after each Retry-After", async () => {
    const { ApiSource } = await import('../audit/source.ts');
    const source = await ApiSource.local({ PORT: new URL(stack.url).port, CEPTOAR_DATA_DIR: stack.dataDir });
    // The heads are the stream projection's: let it catch up with the earlier tests' writes first.
    await stack.settle();
    const heads = await source.heads();
    // Twice the caller's burst at once: the burst goes through, the rest only after waiting.
    const some = heads.slice(0, 2 * LIMITS.caller.burst);
    expect(some).toHaveLength(2 * LIMITS.caller.burst);
    const started = Date.now();
    const read = await Promise.all(
      some.map(async (h) => {
        let n = 0;
        for await (const _ of source.streamEvents(h.streamId)) n++;
        return n;
      }),
    );
    // Every stream read whole: at least the events its head counted (a relay's timer may append one since).
    read.forEach((n, i) => {
      expect(n).toBeGreaterThanOrEqual(some[i]?.version ?? Number.POSITIVE_INFINITY);
    });
    // At one a second after the burst: the last waited for a refill, so 429s were met and retried.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  });
});
