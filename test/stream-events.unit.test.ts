import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { reactInOrder, STREAMS_AT_ONCE, type StreamEvent } from '../functions/reactions/stream-events.ts';
import { EVENT_KIND } from '../functions/store/event-item.ts';

/** A stream record of an event item: `incident#<stream>` at `version`, sequence number `seq`. */
const record = (stream: string, version: number, seq: number): DynamoDBRecord => ({
  eventName: 'INSERT',
  dynamodb: {
    SequenceNumber: String(seq),
    NewImage: {
      pk: { S: `incident#${stream}` },
      sk: { N: String(version) },
      kind: { S: EVENT_KIND },
      type: { S: 'FollowUpAdded' },
      data: { S: '{}' },
      recordedAt: { S: '2026-12-05T00:00:00.000Z' },
      actor: { S: '{"sub":"u","role":"member"}' },
    },
  },
});

const batchOf = (records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });
const name = (s: StreamEvent) => `${s.id}@${s.event.version}`;

describe('reactInOrder', () => {
  it("keeps each stream's events in order and lets one stream's slow reaction not hold up another's", async () => {
    // a@1 waits until b@2 has been reacted to: one record after the other, this batch would never end.
    let releaseA: () => void = () => {};
    const bDone = new Promise<void>((resolve) => {
      releaseA = resolve;
    });
    const seen: string[] = [];
    const result = await reactInOrder(
      batchOf([record('a', 1, 1), record('b', 1, 2), record('a', 2, 3), record('b', 2, 4)]),
      async (stored) => {
        if (name(stored) === 'a@1') await bDone;
        seen.push(name(stored));
        if (name(stored) === 'b@2') releaseA();
      },
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual(['b@1', 'b@2', 'a@1', 'a@2']);
  });

  it("reports the batch's earliest failure and stops the failed stream there", async () => {
    const seen: string[] = [];
    const result = await reactInOrder(
      batchOf([record('a', 1, 10), record('b', 1, 11), record('b', 2, 12), record('a', 2, 13)]),
      async (stored) => {
        seen.push(name(stored));
        if (name(stored) === 'b@1') throw new Error('topic unavailable');
      },
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '11' }] });
    // b@2 never ran after b@1 failed; a's records may (the event source hands a@2 over again, as after b@1).
    expect(seen).not.toContain('b@2');
    expect(seen.indexOf('a@1')).toBeGreaterThanOrEqual(0);
  });

  it('skips records that are not events and runs at most STREAMS_AT_ONCE streams at a time', async () => {
    let running = 0;
    let most = 0;
    const records = Array.from({ length: 40 }, (_, i) => record(`s${i}`, 1, i + 1));
    const head: DynamoDBRecord = { eventName: 'MODIFY', dynamodb: { SequenceNumber: '99', NewImage: {} } };
    let count = 0;
    const result = await reactInOrder(batchOf([head, ...records]), async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      count++;
    });
    expect(result).toEqual({ batchItemFailures: [] });
    expect(count).toBe(40);
    expect(most).toBe(STREAMS_AT_ONCE);
  });
});
