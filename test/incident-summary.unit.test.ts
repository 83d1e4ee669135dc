import { describe, expect, it } from 'vitest';
import type { IncidentEvent } from '../events/incident/incident.ts';
import { incidentStages, incidentSummary } from '../events/incident/visibility.ts';
import { given } from './support/decider.ts';
import { at, HOURS, REPORTED, SECRETARIAT, T0 } from './support/fixtures.ts';

// A list row carries the hop the incident waits on with its deadline, so a queue is sorted by
// deadline from one list call (the console used to read every open incident one by one).
const reported = REPORTED;

const summaryOf = (state: ReturnType<typeof given>) => {
  if (state === null) throw new Error('no incident');
  return incidentSummary(state, at(T0, 1 * HOURS));
};

describe('an incident summary', () => {
  it('names the hop it waits on, its deadline and escalations so far', () => {
    const s = summaryOf(
      given([
        reported,
        {
          event: {
            type: 'HopDeadlineMissed',
            data: {
              hop: 'secretariat',
              escalation: 1,
              missedDueAt: at(T0, 4 * HOURS),
              nextDueAt: at(T0, 5 * HOURS),
            },
          } satisfies IncidentEvent,
          at: at(T0, 4 * HOURS),
          actor: { kind: 'system', sub: 'relay-workflow' },
        },
      ]),
    );
    expect(s.waitingOn).toEqual({
      hop: 'secretariat',
      startedAt: T0,
      dueAt: at(T0, 5 * HOURS),
      escalations: 1,
    });
    expect(s.stalledHop).toBeNull();
  });

  it('waits on the ministry once approved', () => {
    const s = summaryOf(
      given([
        reported,
        {
          event: { type: 'RelayApproved', data: { ministryDueAt: at(T0, 5 * HOURS) } },
          at: at(T0, HOURS),
          actor: SECRETARIAT,
        },
      ]),
    );
    expect(s.waitingOn).toEqual({
      hop: 'ministry',
      startedAt: at(T0, HOURS),
      dueAt: at(T0, 5 * HOURS),
      escalations: 0,
    });
  });

  it('waits on the member while returned', () => {
    const s = summaryOf(
      given([
        reported,
        {
          event: {
            type: 'RelayReturned',
            data: { note: '影響範囲を追記してください', memberDueAt: at(T0, 9 * HOURS) },
          },
          at: at(T0, HOURS),
          actor: SECRETARIAT,
        },
      ]),
    );
    expect(s.status).toBe('returned');
    expect(s.waitingOn?.hop).toBe('member');
    expect(s.waitingOn?.dueAt).toBe(at(T0, 9 * HOURS));
  });

  it('names the reporting stage due next, its deadline and whether it is past it', () => {
    const state = given([reported]);
    if (state === null) throw new Error('no incident');
    // japan-ceptoar: the report itself is the first (第一報); the update (続報) runs from it.
    const first = incidentStages(state, at(T0, 1 * HOURS)).nextStage;
    expect(first?.id).toBe('update');
    expect(first?.dueAt).not.toBeNull();
    expect(incidentSummary(state, at(T0, 1 * HOURS)).nextStage).toEqual({
      id: first?.id,
      dueAt: first?.dueAt,
      overdue: false,
    });
    const late = new Date(Date.parse(first?.dueAt ?? '') + 1000).toISOString();
    expect(incidentSummary(state, late).nextStage).toMatchObject({ id: first?.id, overdue: true });
  });
});
