import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import { RANSOMWARE_REPORT } from './support/fixtures.ts';
import { apiClient, eventually, startTestStack } from './support/local-api.ts';

/**
 * DynamoDB Local killed under a running stack: the API answers 503 problem+json with Retry-After
 * (functions/http/problem.ts maps the table's unreachable and throttling errors in the one place
 * errors are mapped), names nothing internal, writes nothing, and serves again once the table is back.
 */

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;

/** What no answer may carry: the SDK's and the socket's words, addresses, file names, stack frames. */
const INTERNAL =
  /ECONNREFUSED|ECONNRESET|127\.0\.0\.1|localhost|:\d{4,5}\b|DynamoDB|aws-sdk|\.ts:\d+|\bat [\w.<>]+ \(|stack/;

beforeAll(async () => {
  // It kills DynamoDB Local: a JVM of its own, not the run's.
  stack = await startTestStack({ ownDynamo: true });
  api = apiClient(stack.url);
});
afterAll(async () => {
  await stack?.stop();
});

describe('the API while the event table is unreachable', () => {
  it('answers 503 problem+json with Retry-After, writes nothing, and serves again once DynamoDB Local is back', async () => {
    const member = await api.token('member', 'asahi-petrochem');
    const auditor = await api.token('auditor');
    const id = await api.report('asahi-petrochem');
    await stack.settle();
    const pid = stack.faults.dynamoPid();
    expect(pid).toBeDefined();
    process.kill(pid as number, 'SIGKILL');

    const read = await eventually(
      async () => {
        const res = await api.call('GET', `/incidents/${id}`, { token: member });
        return res.status === 503 ? res : undefined;
      },
      30_000,
      'a 503 for a read',
    );
    const write = await api.call('POST', '/incidents', {
      token: member,
      body: { ...RANSOMWARE_REPORT, title: 'Sent while the table was down' },
      headers: { 'idempotency-key': 'while-down-1' },
    });
    for (const res of [read, write]) {
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.body).toEqual({
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: expect.any(String),
      });
      expect(JSON.stringify(res.body)).not.toMatch(INTERNAL);
    }

    await stack.faults.restartDynamo();
    const back = await eventually(
      async () => {
        const res = await api.call('GET', `/incidents/${id}`, { token: member });
        return res.status === 200 ? res : undefined;
      },
      60_000,
      'the incident read again',
    );
    expect(back.body.id).toBe(id);
    // The report answered 503 was not recorded: the member's organisation has the one incident it had.
    const list = await api.call('GET', '/incidents?limit=200', { token: auditor });
    expect(list.status).toBe(200);
    const titles = (list.body.items as { title: string }[]).map((i) => i.title);
    expect(titles).not.toContain('Sent while the table was down');
    expect(list.body.items.map((i: { id: string }) => i.id)).toContain(id);
  }, 180_000);
});
