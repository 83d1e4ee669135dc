import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonthsJst } from '../events/reporting.ts';
import type { LocalStack } from '../local/stack.ts';
import { apiClient, startTestStack } from './support/local-api.ts';

// The local stack with CEPTOAR_REPORTING_PRESET=nis2: every new incident runs NIS2's three stages.
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  stack = await startTestStack({ reportingPreset: 'nis2' });
  api = apiClient(stack.url);
});
afterAll(async () => {
  await stack?.stop();
});

const HOUR = 3_600_000;

describe('reporting stages over HTTP (preset nis2)', () => {
  it('shows every stage’s clock, takes the stages in order, and refuses what a stage lacks', async () => {
    const detectedAt = new Date(Date.now() - HOUR).toISOString();
    const id = await api.report('asahi-petrochem', { occurredAt: detectedAt, detectedAt });
    const member = await api.token('member', 'asahi-petrochem');
    const secretariat = await api.token('secretariat');

    const before = await api.call('GET', `/incidents/${id}`, { token: secretariat });
    expect(before.status).toBe(200);
    expect(before.body.preset).toBe('nis2');
    expect(before.body.stages.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([
      ['early-warning', 'done'],
      ['notification', 'due'],
      ['final', 'waiting'],
    ]);
    expect(before.body.stages[0].dueAt).toBe(new Date(Date.parse(detectedAt) + 24 * HOUR).toISOString());
    expect(before.body.stages[1].dueAt).toBe(new Date(Date.parse(detectedAt) + 72 * HOUR).toISOString());
    expect(before.body.nextStage.id).toBe('notification');
    // The list row names it too, with its deadline, so a queue sorts by what is due next.
    await stack.settle();
    const rowOf = async (token: string) =>
      (await api.call('GET', '/incidents', { token })).body.items.find((i: { id: string }) => i.id === id);
    expect((await rowOf(secretariat)).nextStage).toEqual({
      id: 'notification',
      dueAt: before.body.stages[1].dueAt,
      overdue: false,
    });

    const followUp = (body: object, token = member) =>
      api.call('POST', `/incidents/${id}/follow-ups`, {
        token,
        body: { description: 'x', recoveryStatus: 'mitigating', ...body },
      });

    // The final report runs from the notification: not before it.
    const early = await followUp({
      stage: 'final',
      impact: 'a',
      rootCause: 'b',
      mitigation: 'c',
      crossBorderImpact: 'd',
    });
    expect(early.status).toBe(409);
    const lacking = await followUp({ stage: 'notification' });
    expect(lacking.status).toBe(400);
    expect(lacking.headers.get('content-type')).toBe('application/problem+json');
    expect(lacking.body.errors.map((e: { path: string }) => e.path)).toEqual(['impact']);
    const unknown = await followUp({ stage: 'first', impact: 'a' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.map((e: { path: string }) => e.path)).toEqual(['stage']);
    expect((await followUp({ stage: 'Final!' })).status).toBe(400);
    expect((await followUp({ stage: 'notification', impact: 'a' }, secretariat)).status).toBe(403);
    expect(
      (await followUp({ stage: 'notification', impact: 'a' }, await api.token('member', 'kaigan-chemical')))
        .status,
    ).toBe(404);
    // None of those refusals wrote anything.
    expect((await api.call('GET', `/incidents/${id}`, { token: secretariat })).body.followUps).toEqual([]);

    const notified = await followUp({ stage: 'notification', impact: 'Ethylene unit 2 stopped' });
    expect(notified.status).toBe(201);
    const after = await api.call('GET', `/incidents/${id}`, { token: member });
    const [, notification, final] = after.body.stages;
    expect(notification).toMatchObject({ status: 'done', onTime: true });
    expect(after.body.followUps[0]).toMatchObject({
      stage: 'notification',
      details: { impact: 'Ethylene unit 2 stopped' },
    });
    expect(final.status).toBe('due');
    expect(final.dueAt).toBe(addMonthsJst(notification.submittedAt, 1));
    expect(after.body.nextStage.id).toBe('final');
    // Lists read the projected heads: once the follow-up is projected.
    await stack.settle();
    expect((await rowOf(member)).nextStage).toEqual({ id: 'final', dueAt: final.dueAt, overdue: false });
  });
});
