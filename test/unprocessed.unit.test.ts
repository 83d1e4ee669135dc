import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DynamoDbBatchHeadReader } from '../functions/store/batch-heads.ts';
import { writeTimeEntries } from '../functions/store/time-index.ts';
import { BATCH_ATTEMPTS, untilProcessed } from '../functions/store/unprocessed.ts';

describe('untilProcessed (a batch call and its unprocessed items)', () => {
  // The unit files share a worker's registry and clock (vitest.config.ts): never leave fake timers behind.
  afterEach(() => vi.useRealTimers());

  it('sends what is left again until nothing is', async () => {
    const sent: number[][] = [];
    await untilProcessed(
      [1, 2, 3, 4],
      async (items) => {
        sent.push([...items]);
        return sent.length === 1 ? items.slice(2) : []; // the first call leaves its last two
      },
      'test',
    );
    expect(sent).toEqual([
      [1, 2, 3, 4],
      [3, 4],
    ]);
  });

  it(`fails after ${BATCH_ATTEMPTS} rounds that each leave items, naming what it sent`, async () => {
    vi.useFakeTimers();
    let calls = 0;
    const failed = expect(
      untilProcessed(
        ['a'],
        async (items) => {
          calls++;
          return items;
        },
        'BatchGetItem of heads',
      ),
    ).rejects.toThrow(/BatchGetItem of heads: items left unprocessed after 6 rounds/);
    await vi.runAllTimersAsync(); // the pauses: 100, 200, 400, 800 ms, 1 s
    await failed;
    expect(calls).toBe(BATCH_ATTEMPTS);
  });
});

/** A client whose batch calls leave the last item of every request unprocessed once per item. */
function throttlingClient(kind: 'write' | 'get') {
  const requests: number[] = [];
  const leftOnce = new Set<string>();
  const client = {
    send: async (command: { input: { RequestItems: Record<string, unknown> } }) => {
      const [table, request] = Object.entries(command.input.RequestItems)[0] as [string, unknown];
      const items = (kind === 'write' ? request : (request as { Keys: unknown[] }).Keys) as unknown[];
      requests.push(items.length);
      const last = items.at(-1);
      const key = JSON.stringify(last);
      const left = last !== undefined && !leftOnce.has(key) ? [last] : [];
      if (left.length) leftOnce.add(key);
      return kind === 'write'
        ? { UnprocessedItems: left.length ? { [table]: left } : {} }
        : {
            Responses: { [table]: [] },
            UnprocessedKeys: left.length ? { [table]: { Keys: left } } : {},
          };
    },
  };
  return { client: client as unknown as DynamoDBClient, requests };
}

describe('the batch calls that retry their unprocessed items', () => {
  it('writeTimeEntries sends the unprocessed time entries again', async () => {
    const { client, requests } = throttlingClient('write');
    const events = Array.from({ length: 30 }, (_, i) => ({
      streamId: `incident#${i}`,
      version: 1,
      recordedAt: '2026-12-05T00:00:00.000Z',
      group: 'chemical' as const,
    }));
    await writeTimeEntries(client, 'events', events);
    // 25 + 5, then each call's one left item again.
    expect(requests.sort((a, b) => a - b)).toEqual([1, 1, 5, 25]);
  });

  it('loadHeads asks for the unprocessed keys again', async () => {
    const { client, requests } = throttlingClient('get');
    const heads = await new DynamoDbBatchHeadReader(client, 'events').loadHeads(['incident#a', 'incident#b']);
    expect(heads.size).toBe(0);
    expect(requests).toEqual([2, 1]);
  });
});
