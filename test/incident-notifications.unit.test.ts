import { describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import type { IncidentEvent, IncidentState, Recorded } from '../events/incident/incident.ts';
import { notificationsFor } from '../events/incident/notifications.ts';
import { given } from './support/decider.ts';
import { ASAHI_MEMBER, at, HOURS, MINISTRY, REPORTED, SECRETARIAT, T0 } from './support/fixtures.ts';

// A follow-up goes to the organisations the relay had reached when it was added, however late its
// messages are planned: stream-notifier, recovery and the soak's checker all plan with the state they
// read, which may be the state after the relay went further (bench/RESULTS.md §8, the run of 12-05).
const followUp = (number: number): IncidentEvent => ({
  type: 'FollowUpAdded',
  data: { number, description: `follow-up ${number}`, recoveryStatus: 'investigating', resubmitted: false },
});
const HISTORY: { event: IncidentEvent; at: string; actor: Actor }[] = [
  REPORTED,
  { event: followUp(1), at: at(T0, HOURS), actor: ASAHI_MEMBER },
  {
    event: { type: 'RelayApproved', data: { ministryDueAt: at(T0, 11 * HOURS) } },
    at: at(T0, 2 * HOURS),
    actor: SECRETARIAT,
  },
  { event: followUp(2), at: at(T0, 3 * HOURS), actor: ASAHI_MEMBER },
  {
    event: { type: 'ReceiptAcknowledged', data: { hop: 'ministry', niscDueAt: at(T0, 12 * HOURS) } },
    at: at(T0, 4 * HOURS),
    actor: MINISTRY,
  },
  { event: followUp(3), at: at(T0, 5 * HOURS), actor: ASAHI_MEMBER },
];
const recorded = (i: number): Recorded<IncidentEvent> => {
  const g = HISTORY[i];
  if (!g) throw new Error(`no event ${i}`);
  return { ...g.event, version: i + 1, recordedAt: g.at, actor: g.actor };
};
const audience = (i: number, state: IncidentState) =>
  notificationsFor(recorded(i), state).flatMap((plan) => plan.audience.map((a) => ('org' in a ? a.org : a)));

describe('whom a follow-up goes to', () => {
  const final = given(HISTORY) as IncidentState;

  it('is whoever the relay had reached when it was added, planned from the final state', () => {
    expect(audience(1, final)).toEqual(['secretariat']);
    expect(audience(3, final)).toEqual(['secretariat', 'ministry']);
    expect(audience(5, final)).toEqual(['secretariat', 'ministry', 'nisc']);
  });

  it('is the same whether planned then or later', () => {
    for (const i of [1, 3, 5]) {
      const then = given(HISTORY.slice(0, i + 1)) as IncidentState;
      expect(audience(i, then)).toEqual(audience(i, final));
    }
  });
});
