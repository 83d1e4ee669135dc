import { describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import {
  type AdvisoryEvent,
  type AdvisoryState,
  evolveAdvisory,
  evolveRecipient,
  initialAdvisory,
  initialRecipient,
  type RecipientState,
} from '../events/advisory/advisory.ts';
import { advisoryListRow } from '../events/advisory/list.ts';
import { ASAHI_MEMBER, AUDITOR, at, HOURS, MINISTRY, NISC, SECRETARIAT, T0 } from './support/fixtures.ts';

const ID = '0b4a3c2d-1e0f-4a5b-8c7d-6e5f4a3b2c1d';
const WORKFLOW: Actor = { kind: 'system', sub: 'system:advisory-workflow' };
type User = Extract<Actor, { kind: 'user' }>;

const ISSUED: AdvisoryEvent = {
  type: 'AdvisoryIssued',
  data: {
    advisoryId: ID,
    title: 'VPN vulnerability',
    body: 'Patch now.',
    tlp: 'GREEN',
    severity: 'high',
    ackWithinHours: 24,
    audience: ['asahi-petrochem', 'kaigan-chemical'],
    drill: true,
    issuedBy: 'u-nisc-1',
    issuerRole: 'nisc',
    forwardDueAt: at(T0, 1 * HOURS),
  },
};
const MINISTRY_FORWARDED: AdvisoryEvent = {
  type: 'AdvisoryForwarded',
  data: { hop: 'ministry', nextDueAt: at(T0, 3 * HOURS) },
};
const DISTRIBUTED: AdvisoryEvent = {
  type: 'AdvisoryDistributed',
  data: {
    recipients: ['asahi-petrochem', 'kaigan-chemical'],
    ackDueAt: at(T0, 26 * HOURS),
    remindAt: at(T0, 14 * HOURS),
  },
};

/** Given these advisory events, an hour apart from T0, the folded state. */
function given(...events: AdvisoryEvent[]): AdvisoryState {
  const state = events.reduce(
    (s, event, i) =>
      evolveAdvisory(s, {
        ...event,
        version: i + 1,
        recordedAt: at(T0, i * HOURS),
        actor: event.type === 'AdvisoryIssued' ? NISC : WORKFLOW,
      } as Parameters<typeof evolveAdvisory>[1]),
    initialAdvisory(),
  );
  if (state === null) throw new Error('no advisory');
  return state;
}

const acknowledged = (org: string, when: string): RecipientState => {
  const state = evolveRecipient(initialRecipient(), {
    type: 'AdvisoryAcknowledged',
    data: { advisoryId: ID, org, contactId: null, by: 'u-asahi-1', via: 'api' },
    version: 1,
    recordedAt: when,
    actor: ASAHI_MEMBER,
  });
  if (state === null) throw new Error('no recipient');
  return state;
};

describe('a row of GET /advisories', () => {
  it('asks the ministry for its forward by the hop deadline; NISC and auditors only watch the hop', () => {
    const state = given(ISSUED);
    expect(advisoryListRow(state, MINISTRY as User, undefined)).toMatchObject({
      view: 'chain',
      drill: true,
      severity: 'high',
      awaiting: { action: 'forward', dueAt: at(T0, 1 * HOURS) },
      pending: { hop: 'ministry', dueAt: at(T0, 1 * HOURS), escalations: 0 },
      closedWindow: null,
    });
    for (const actor of [NISC, AUDITOR, SECRETARIAT] as User[]) {
      expect(advisoryListRow(state, actor, undefined), actor.role).toMatchObject({
        awaiting: null,
        pending: { hop: 'ministry' },
      });
    }
  });

  it('follows a missed deadline to the new one, counting escalations, and marks a stalled hop', () => {
    const state = given(
      ISSUED,
      MINISTRY_FORWARDED,
      {
        type: 'ForwardDeadlineMissed',
        data: {
          hop: 'secretariat',
          escalation: 1,
          missedDueAt: at(T0, 3 * HOURS),
          nextDueAt: at(T0, 5 * HOURS),
        },
      },
      { type: 'ForwardStalled', data: { hop: 'secretariat', escalations: 1 } },
    );
    expect(advisoryListRow(state, SECRETARIAT as User, undefined)).toMatchObject({
      awaiting: { action: 'forward', dueAt: at(T0, 5 * HOURS) },
      pending: { hop: 'secretariat', dueAt: at(T0, 5 * HOURS), escalations: 1 },
      stalledHop: 'secretariat',
    });
  });

  it("gives a member only its organisation's part: due, then acknowledged, and nothing of the chain", () => {
    const state = given(
      ISSUED,
      MINISTRY_FORWARDED,
      { type: 'AdvisoryForwarded', data: { hop: 'secretariat' } },
      DISTRIBUTED,
    );
    const due = advisoryListRow(state, ASAHI_MEMBER as User, undefined);
    expect(due).toEqual({
      id: ID,
      // A stream from before sectors (no sector recorded) is chemical's.
      sector: 'chemical',
      title: 'VPN vulnerability',
      tlp: 'GREEN',
      drill: true,
      status: 'distributed',
      issuerRole: 'nisc',
      createdAt: T0,
      distributedAt: at(T0, 3 * HOURS),
      ackDueAt: at(T0, 26 * HOURS),
      severity: 'high',
      view: 'member',
      awaiting: { action: 'acknowledge', dueAt: at(T0, 26 * HOURS) },
      recipient: true,
      acknowledgedAt: null,
      missed: false,
    });
    const done = advisoryListRow(
      state,
      ASAHI_MEMBER as User,
      acknowledged('asahi-petrochem', at(T0, 4 * HOURS)),
    );
    expect(done).toMatchObject({ awaiting: null, acknowledgedAt: at(T0, 4 * HOURS) });
    // A TLP:GREEN advisory seen by a member outside the audience: for information, nothing to do.
    const other = { ...ASAHI_MEMBER, org: 'minato-polymer' } as User;
    expect(advisoryListRow(state, other, undefined)).toMatchObject({ recipient: false, awaiting: null });
  });

  it('counts the acknowledged and the rate once the window closed, and marks the silent member missed', () => {
    const state = given(
      ISSUED,
      MINISTRY_FORWARDED,
      { type: 'AdvisoryForwarded', data: { hop: 'secretariat' } },
      DISTRIBUTED,
      { type: 'AckWindowClosed', data: { missed: ['asahi-petrochem'], acknowledged: 1 } },
    );
    expect(advisoryListRow(state, SECRETARIAT as User, undefined)).toMatchObject({
      recipients: 2,
      closedWindow: { acknowledged: 1, rate: 0.5 },
      awaiting: null,
    });
    expect(advisoryListRow(state, ASAHI_MEMBER as User, undefined)).toMatchObject({
      missed: true,
      awaiting: null,
    });
  });
});
