import { beforeEach, describe, expect, it } from 'vitest';
import { callbackSummary, type FaultRecord, notInjected } from '../bench/soak.ts';
import {
  type CallbackSent,
  checkCallbacks,
  checkDeliveries,
  deliveryFactsOf,
  type PromisedMessage,
} from '../bench/soak-check.ts';
import type { StoredEvent } from '../functions/store/event-store.ts';

// The soak checker's pure rules (bench/soak-check.ts): what it counts and names as broken for deliveries
// and their retries, and for duplicate and late Step Functions callbacks.

const S = 'incident#i1';
const t = (seconds: number) => new Date(Date.UTC(2026, 11, 4, 12, 0, 0) + seconds * 1000).toISOString();
let version = 0;
const ev = (type: string, data: Record<string, unknown>, at: number, streamId = S): StoredEvent => ({
  streamId,
  version: ++version,
  type,
  data,
  recordedAt: t(at),
  actor: { kind: 'system', sub: 'system:test' } as StoredEvent['actor'],
  schemaVersion: 1,
});
beforeEach(() => {
  version = 0;
});
const attempt = (key: string, n: number, at: number, delay = 1) =>
  ev('NotificationAttemptFailed', { key, attempt: n, nextAttemptAt: t(at + delay), error: 'HTTP 503' }, at);
const delivered = (key: string, at: number) => ev('NotificationDelivered', { key, messageId: 'm' }, at);
const failed = (key: string, at: number, reason: string) => ev('NotificationFailed', { key, reason }, at);

/** Checks `list` (one stream) against the promised keys, at time scale 360 (every backoff 1 s). */
function check(list: StoredEvent[], keys: string[]) {
  const facts = deliveryFactsOf(list);
  const promised: PromisedMessage[] = keys.map((key) => ({ key, streamId: S, channel: 'sms' }));
  return checkDeliveries(promised, (streamId, key) => (streamId === S ? facts.get(key) : undefined), 360);
}

describe('checkDeliveries', () => {
  it('counts delivered at once, failed then delivered, given up and refused, and finds nothing wrong', () => {
    const list = [
      delivered('a', 0),
      attempt('b', 1, 0),
      attempt('b', 2, 2),
      delivered('b', 4),
      ...[1, 2, 3, 4].map((n) => attempt('c', n, n * 2)),
      failed('c', 10, 'gave up after 5 attempts: HTTP 503'),
      failed('d', 0, 'InvalidParameter'),
      // Attempts at a message no event promises are not counted.
      attempt('x', 1, 0),
    ];
    const { counts, violations } = check(list, ['a', 'b', 'c', 'd']);
    expect(violations).toEqual([]);
    expect(counts).toEqual({
      promised: 4,
      delivered: 1,
      failedThenDelivered: 1,
      givenUp: 1,
      refused: 1,
      attemptsFailed: 6,
      missing: 0,
    });
  });

  it('names a promised message with no outcome, even with failed attempts recorded', () => {
    const { counts, violations } = check([attempt('a', 1, 0)], ['a', 'b']);
    expect(counts.missing).toBe(2);
    expect(violations.map((v) => [v.invariant, v.detail])).toEqual([
      ['delivery', 'message a (sms) neither delivered nor recorded as failed (1 failed attempts recorded)'],
      ['delivery', 'message b (sms) neither delivered nor recorded as failed'],
    ]);
  });

  it('names retries against the policy: a repeated or out-of-range attempt, one after the outcome, a retry before the backoff, a give-up too early, and a second outcome', () => {
    const list = [
      attempt('a', 1, 0),
      attempt('a', 1, 2),
      delivered('a', 4),
      attempt('b', 5, 0),
      delivered('b', 2),
      delivered('c', 0),
      attempt('c', 1, 1),
      attempt('d', 1, 0),
      delivered('d', 0.2),
      attempt('e', 1, 0),
      failed('e', 2, 'gave up after 2 attempts: HTTP 503'),
      delivered('f', 0),
      failed('f', 1, 'gave up after 5 attempts: HTTP 503'),
    ];
    const { violations } = check(list, ['a', 'b', 'c', 'd', 'e', 'f']);
    expect(violations.map((v) => `${v.invariant}: ${v.detail}`)).toEqual([
      'delivery-retry: message a (sms): an attempt recorded twice: [1,1]',
      'delivery-retry: message b (sms): attempts [5] outside 1..4',
      'delivery-retry: message c (sms): attempt 1 recorded at version 7, after its outcome (version 6)',
      `delivery-retry: message d (sms): retried at ${t(0.2)}, before attempt 1's backoff ended (${t(1)})`,
      'delivery-retry: message e (sms): gave up after 2 attempts; the policy makes 5',
      'delivery: message f (sms) recorded 2 times',
    ]);
  });

  it('names a backoff planned longer than the policy', () => {
    const { violations } = check([attempt('a', 1, 0, 30), delivered('a', 31)], ['a']);
    expect(violations.map((v) => v.detail)).toEqual([
      "message a (sms): attempt 1 planned its retry 30000 ms out, the policy's backoff is 1000 ms",
    ]);
  });

  it("reads advisory recipients' own delivery events", () => {
    const R = 'advisory-recipient#a1#org';
    const list = [
      ev('AdvisoryDeliveryAttemptFailed', { key: 'k', attempt: 1, nextAttemptAt: t(1) }, 0, R),
      ev('AdvisoryDelivered', { key: 'k', messageId: 'm' }, 2, R),
    ];
    const facts = deliveryFactsOf(list);
    const { counts, violations } = checkDeliveries(
      [{ key: 'k', streamId: R, channel: 'email' }],
      (_s, key) => facts.get(key),
      360,
    );
    expect(violations).toEqual([]);
    expect(counts.failedThenDelivered).toBe(1);
  });
});

const token = (n: number) => `lsfn1.${String(n).padStart(43, 'x')}`;
const stageCallback = (over: Partial<CallbackSent>): CallbackSent => {
  const { hop: _hop, ...stage } = callback({ workflow: 'stage', ...over });
  return stage;
};
const callback = (over: Partial<CallbackSent>): CallbackSent => ({
  kind: 'late',
  workflow: 'relay',
  hop: 'secretariat',
  attempt: 0,
  dueAt: t(60),
  token: token(1),
  streamId: S,
  version: 0,
  answer: 'TaskTimedOut',
  ...over,
});

describe('checkCallbacks', () => {
  it('finds nothing when each token is accepted once and the relay only re-waits with its deadline', () => {
    const list = [
      ev('RelayWaitStarted', { hop: 'secretariat', attempt: 0, dueAt: t(60), taskToken: token(1) }, 0),
      ev('RelayWaitStarted', { hop: 'secretariat', attempt: 0, dueAt: t(60), taskToken: token(2) }, 1),
      ev('HopDeadlineMissed', { hop: 'secretariat', escalation: 1 }, 61),
      ev('RelayApproved', {}, 62),
      ev('RelayWaitStarted', { hop: 'ministry', attempt: 0, dueAt: t(120), taskToken: token(3) }, 63),
    ];
    const first = list[0]?.version ?? 0;
    const callbacks = [
      callback({ kind: 'duplicate', token: token(1), version: first, answer: 'ok' }),
      callback({ kind: 'duplicate', token: token(1), version: first, answer: 'TaskTimedOut' }),
      callback({ kind: 'late', token: token(2), version: list[3]?.version ?? 0 }),
    ];
    expect(checkCallbacks(callbacks, new Map([[S, list]]))).toEqual([]);
    expect(callbackSummary(callbacks)).toBe(
      'duplicate relay: ok 1, TaskTimedOut 1; late relay: TaskTimedOut 1',
    );
  });

  it('names a token accepted twice, an event for an ended wait, a moved deadline, an early escalation and a wait recorded twice', () => {
    const list = [
      ev('RelayWaitStarted', { hop: 'secretariat', attempt: 0, dueAt: t(60), taskToken: token(1) }, 0),
      ev('RelayWaitStarted', { hop: 'secretariat', attempt: 0, dueAt: t(90), taskToken: token(2) }, 1),
      ev('HopDeadlineMissed', { hop: 'secretariat', escalation: 1 }, 30),
      ev('StageWaitStarted', { wait: 'replan', attempt: 0, dueAt: t(600), taskToken: token(4) }, 31),
      ev('StageWaitStarted', { wait: 'replan', attempt: 0, dueAt: t(600), taskToken: token(4) }, 32),
    ];
    const first = list[0]?.version ?? 0;
    const callbacks = [
      callback({ kind: 'duplicate', token: token(1), version: first, answer: 'ok' }),
      callback({ kind: 'duplicate', token: token(1), version: first, answer: 'ok' }),
      stageCallback({ kind: 'late', token: token(9), version: list[2]?.version ?? 0 }),
    ];
    expect(checkCallbacks(callbacks, new Map([[S, list]])).map((v) => v.detail)).toEqual([
      'one task token (relay wait, duplicate) accepted 2 times',
      `duplicate relay callback (secretariat) at version ${first}: the hop's deadline moved from ${t(60)} to ${t(90)} (version ${first + 1})`,
      `duplicate relay callback (secretariat) at version ${first}: escalated at ${t(30)}, before the deadline ${t(60)} (version ${first + 2})`,
      `late stage callback at version ${first + 2} answered TaskTimedOut, then StageWaitStarted at version ${first + 3} for the wait that had ended`,
      `late stage callback at version ${first + 2} answered TaskTimedOut, then StageWaitStarted at version ${first + 4} for the wait that had ended`,
      `StageWaitStarted at version ${first + 4} records the task token of version ${first + 3} again`,
    ]);
  });
});

describe('notInjected', () => {
  it('names the scheduled faults that found nothing to act on', () => {
    const fault = (kind: FaultRecord['kind'], injected: boolean): FaultRecord => ({
      kind,
      at: 1,
      detail: '',
      injected,
      facts: {},
    });
    const faults = [fault('callbacks', false), fault('dynamodb-kill', true)];
    expect(notInjected({ faults }).map((f) => f.kind)).toEqual(['callbacks']);
  });
});
