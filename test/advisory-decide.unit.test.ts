import { describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import {
  type AdvisoryEvent,
  evolveAdvisory,
  evolveRecipient,
  initialAdvisory,
  initialRecipient,
  type MaybeAdvisory,
  type MaybeRecipient,
  type RecipientEvent,
} from '../events/advisory/advisory.ts';
import {
  type AdvisoryCommand,
  decideAdvisory,
  decideRecipient,
  type MemberRoster,
  planAdvisory,
} from '../events/advisory/decide.ts';
import { advisoryView, canSeeAdvisory } from '../events/advisory/visibility.ts';
import { decideOrganization, type OrganizationEntry } from '../events/directory/directory.ts';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '../events/errors.ts';
import { relayPolicy } from '../events/policy.ts';
import {
  ASAHI_MEMBER,
  at,
  HOURS,
  KAIGAN_MEMBER,
  MINISTRY,
  NISC,
  SECRETARIAT,
  T0,
} from './support/fixtures.ts';

const POLICY = relayPolicy();

/** The value, or a failed test when it is missing. */
function must<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error('expected a value');
  return value;
}
const ID = '0b4a3c2d-1e0f-4a5b-8c7d-6e5f4a3b2c1d';
const SYSTEM: Actor = { kind: 'system', sub: 'system:advisory-workflow' };
const ROSTER: MemberRoster = {
  members: ['asahi-petrochem', 'kaigan-chemical', 'minato-polymer'],
  logins: { 'asahi-petrochem': ['u-asahi-1'], 'kaigan-chemical': ['u-kaigan-1'], 'minato-polymer': [] },
};
const ISSUE = {
  advisoryId: ID,
  title: 'VPN vulnerability',
  body: 'Patch now.',
  tlp: 'AMBER' as const,
  severity: 'high' as const,
  ackWithinHours: 24,
  audience: 'all' as const,
  drill: false,
  roster: ROSTER,
};

type Step = { event: AdvisoryEvent; at: string; actor: Actor };
const fold = (steps: Step[]): MaybeAdvisory =>
  steps.reduce<MaybeAdvisory>(
    (s, g, i) => evolveAdvisory(s, { ...g.event, version: i + 1, recordedAt: g.at, actor: g.actor }),
    initialAdvisory(),
  );
const decide = (command: AdvisoryCommand, state: MaybeAdvisory, actor: Actor, now: string) =>
  decideAdvisory(command, state, { now, actor, policy: POLICY });

/** Runs commands in order, each on the state the previous ones left. */
function run(steps: [AdvisoryCommand, Actor, string][]): { state: MaybeAdvisory; events: AdvisoryEvent[][] } {
  const history: Step[] = [];
  const events: AdvisoryEvent[][] = [];
  for (const [command, actor, now] of steps) {
    const out = decide(command, fold(history), actor, now);
    events.push(out);
    history.push(...out.map((event) => ({ event, at: now, actor })));
  }
  return { state: fold(history), events };
}

describe('issuing and forwarding an advisory', () => {
  it('NISC issues: the ministry has the high-severity forward deadline (4 h)', () => {
    const { events } = run([[{ type: 'IssueAdvisory', data: ISSUE }, NISC, T0]]);
    expect(events[0]).toEqual([
      {
        type: 'AdvisoryIssued',
        data: expect.objectContaining({
          issuerRole: 'nisc',
          forwardDueAt: at(T0, 4 * HOURS),
          audience: 'all',
        }),
      },
    ]);
  });

  it('the ministry forwards with a note, then the secretariat distributes to every member', () => {
    const { state, events } = run([
      [{ type: 'IssueAdvisory', data: ISSUE }, NISC, T0],
      [{ type: 'ForwardAdvisory', data: { note: 'via METI', roster: ROSTER } }, MINISTRY, at(T0, HOURS)],
      [{ type: 'ForwardAdvisory', data: { roster: ROSTER } }, SECRETARIAT, at(T0, 2 * HOURS)],
    ]);
    expect(events[1]).toEqual([
      {
        type: 'AdvisoryForwarded',
        data: { hop: 'ministry', note: 'via METI', nextDueAt: at(T0, 5 * HOURS) },
      },
    ]);
    expect(events[2]).toEqual([
      { type: 'AdvisoryForwarded', data: { hop: 'secretariat' } },
      {
        type: 'AdvisoryDistributed',
        data: {
          recipients: ROSTER.members,
          ackDueAt: at(T0, 26 * HOURS),
          remindAt: at(T0, 14 * HOURS),
        },
      },
    ]);
    expect(state?.status).toBe('distributed');
  });

  it('the secretariat issuing distributes at once; a list audience is checked against the members', () => {
    const ok = decide(
      { type: 'IssueAdvisory', data: { ...ISSUE, audience: ['kaigan-chemical'] } },
      null,
      SECRETARIAT,
      T0,
    );
    expect(ok[1]).toMatchObject({ type: 'AdvisoryDistributed', data: { recipients: ['kaigan-chemical'] } });
    expect(() =>
      decide(
        { type: 'IssueAdvisory', data: { ...ISSUE, audience: ['kaigan-chemical', 'ghost'] } },
        null,
        SECRETARIAT,
        T0,
      ),
    ).toThrow(ValidationError);
  });

  it('a shared incident excludes the reporter; RED names each recipient organisation’s logins', () => {
    const out = decide(
      { type: 'IssueAdvisory', data: { ...ISSUE, tlp: 'RED', excludeOrgs: ['asahi-petrochem'] } },
      null,
      SECRETARIAT,
      T0,
    );
    expect(out[1]).toMatchObject({
      data: {
        recipients: ['kaigan-chemical', 'minato-polymer'],
        named: { 'kaigan-chemical': ['u-kaigan-1'], 'minato-polymer': [] },
      },
    });
  });

  it('refuses members as issuers, out-of-turn forwards and repeated forwards', () => {
    expect(() => decide({ type: 'IssueAdvisory', data: ISSUE }, null, ASAHI_MEMBER, T0)).toThrow(
      ForbiddenError,
    );
    const { state } = run([[{ type: 'IssueAdvisory', data: ISSUE }, NISC, T0]]);
    expect(() =>
      decide({ type: 'ForwardAdvisory', data: { roster: ROSTER } }, state, SECRETARIAT, T0),
    ).toThrow(IllegalStateError);
    const forwarded = run([
      [{ type: 'IssueAdvisory', data: ISSUE }, NISC, T0],
      [{ type: 'ForwardAdvisory', data: { roster: ROSTER } }, MINISTRY, T0],
    ]).state;
    expect(() =>
      decide({ type: 'ForwardAdvisory', data: { roster: ROSTER } }, forwarded, MINISTRY, T0),
    ).toThrow(/already forwarded/);
    expect(() => decide({ type: 'ForwardAdvisory', data: { roster: ROSTER } }, null, MINISTRY, T0)).toThrow(
      NotFoundError,
    );
  });
});

describe('the advisory workflow: plan, timeouts, escalation', () => {
  const issued = run([[{ type: 'IssueAdvisory', data: ISSUE }, NISC, T0]]).state;

  it('plans the ministry wait, then the reminder, then the window end', () => {
    expect(planAdvisory(issued, T0)).toEqual({
      next: 'wait',
      hop: 'ministry',
      attempt: 0,
      dueAt: at(T0, 4 * HOURS),
      timeoutSeconds: 4 * 3600,
    });
    const distributed = run([[{ type: 'IssueAdvisory', data: ISSUE }, SECRETARIAT, T0]]).state;
    expect(planAdvisory(distributed, T0)).toMatchObject({ hop: 'remind', dueAt: at(T0, 12 * HOURS) });
    const reminded = run([
      [{ type: 'IssueAdvisory', data: ISSUE }, SECRETARIAT, T0],
      [
        {
          type: 'RecordAdvisoryTimeout',
          data: { wait: 'remind', attempt: 0, acknowledged: ['asahi-petrochem'] },
        },
        SYSTEM,
        at(T0, 12 * HOURS),
      ],
    ]);
    expect(reminded.events[1]).toEqual([
      { type: 'RemindersDue', data: { orgs: ['kaigan-chemical', 'minato-polymer'] } },
    ]);
    expect(planAdvisory(reminded.state, at(T0, 12 * HOURS))).toMatchObject({
      hop: 'close',
      dueAt: at(T0, 24 * HOURS),
    });
  });

  it('records the silent recipients as missed when the window ends, and plans nothing more', () => {
    const closed = run([
      [{ type: 'IssueAdvisory', data: ISSUE }, SECRETARIAT, T0],
      [
        {
          type: 'RecordAdvisoryTimeout',
          data: { wait: 'close', attempt: 0, acknowledged: ['kaigan-chemical'] },
        },
        SYSTEM,
        at(T0, 23 * HOURS),
      ],
      [
        {
          type: 'RecordAdvisoryTimeout',
          data: { wait: 'close', attempt: 0, acknowledged: ['kaigan-chemical'] },
        },
        SYSTEM,
        at(T0, 24 * HOURS),
      ],
    ]);
    // Before the deadline, a timeout changes nothing.
    expect(closed.events[1]).toEqual([]);
    expect(closed.events[2]).toEqual([
      { type: 'AckWindowClosed', data: { missed: ['asahi-petrochem', 'minato-polymer'], acknowledged: 1 } },
    ]);
    expect(planAdvisory(closed.state, at(T0, 25 * HOURS)).next).toBe('done');
  });

  it('escalates a missed forward up to the policy bound, then stalls', () => {
    let history = run([[{ type: 'IssueAdvisory', data: ISSUE }, NISC, T0]]);
    const timeouts: AdvisoryEvent[][] = [];
    let now = T0;
    for (let attempt = 0; attempt <= POLICY.maxEscalations; attempt++) {
      now = at(now, 4 * HOURS);
      const out = decide(
        { type: 'RecordAdvisoryTimeout', data: { wait: 'ministry', attempt, acknowledged: [] } },
        history.state,
        SYSTEM,
        now,
      );
      timeouts.push(out);
      const steps = out.map((event) => ({ event, at: now, actor: SYSTEM }));
      history = {
        state: steps.reduce<MaybeAdvisory>(
          (s, g) =>
            evolveAdvisory(s, {
              ...g.event,
              version: (s?.version ?? 0) + 1,
              recordedAt: g.at,
              actor: g.actor,
            }),
          history.state,
        ),
        events: [],
      };
    }
    expect(timeouts.slice(0, 3).map((e) => e[0]?.type)).toEqual([
      'ForwardDeadlineMissed',
      'ForwardDeadlineMissed',
      'ForwardDeadlineMissed',
    ]);
    expect(timeouts[3]).toEqual([{ type: 'ForwardStalled', data: { hop: 'ministry', escalations: 3 } }]);
    expect(planAdvisory(history.state, now).next).toBe('stalled');
    // A late forward moves it on and asks for a new workflow.
    const late = decide({ type: 'ForwardAdvisory', data: { roster: ROSTER } }, history.state, MINISTRY, now);
    const moved = evolveAdvisory(history.state, {
      ...must(late[0]),
      version: 99,
      recordedAt: now,
      actor: MINISTRY,
    });
    expect(moved?.restartAt).toBe(99);
    // A repeated or stale timeout changes nothing.
    expect(
      decide(
        { type: 'RecordAdvisoryTimeout', data: { wait: 'ministry', attempt: 0, acknowledged: [] } },
        issued,
        SYSTEM,
        at(T0, 5 * HOURS),
      ).length,
    ).toBe(1);
    expect(
      decide(
        { type: 'RecordAdvisoryTimeout', data: { wait: 'ministry', attempt: 1, acknowledged: [] } },
        issued,
        SYSTEM,
        at(T0, 5 * HOURS),
      ),
    ).toEqual([]);
  });
});

describe("the chain's messages: failed attempts the queue retries", () => {
  const KEY = '1:forward_requested:meti-duty:webhook';
  const about = { key: KEY, purpose: 'forward_requested' as const, channel: 'webhook' as const };
  const attempt = (n: number): AdvisoryCommand => ({
    type: 'RecordAdvisoryNotificationAttempt',
    data: { ...about, attempt: n, status: 503, error: 'HTTP 503', nextAttemptAt: at(T0, n * 60_000) },
  });
  const delivered: AdvisoryCommand = {
    type: 'RecordAdvisoryNotification',
    data: {
      ...about,
      to: 'https://hooks.meti.example/ceptoar',
      outcome: { ok: true, messageId: 'http-204' },
    },
  };

  it('records each attempt once, then the outcome, and nothing for an attempt reported after it', () => {
    const { state, events } = run([
      [{ type: 'IssueAdvisory', data: { ...ISSUE, roster: ROSTER } }, NISC, T0],
      [attempt(1), SYSTEM, at(T0, 1000)],
      [attempt(1), SYSTEM, at(T0, 2000)],
      [attempt(2), SYSTEM, at(T0, 61_000)],
      [delivered, SYSTEM, at(T0, 121_000)],
      [attempt(3), SYSTEM, at(T0, 122_000)],
    ]);
    expect(events.map((e) => e.map((x) => x.type))).toEqual([
      ['AdvisoryIssued'],
      ['NotificationAttemptFailed'],
      [],
      ['NotificationAttemptFailed'],
      ['NotificationDelivered'],
      [],
    ]);
    expect(events[1]).toEqual([
      {
        type: 'NotificationAttemptFailed',
        data: { ...about, attempt: 1, status: 503, error: 'HTTP 503', nextAttemptAt: at(T0, 60_000) },
      },
    ]);
    expect(state?.attempts?.map((a) => [a.key, a.attempt, a.at])).toEqual([
      [KEY, 1, at(T0, 1000)],
      [KEY, 2, at(T0, 61_000)],
    ]);
    // The chain's view shows them beside the deliveries; a member's view has neither.
    const chain = advisoryView(must(state), NISC, []) as { attempts: unknown[]; deliveries: unknown[] };
    expect(chain.deliveries).toHaveLength(1);
    expect(chain.attempts).toEqual([
      {
        ...about,
        attempt: 1,
        status: 503,
        error: 'HTTP 503',
        nextAttemptAt: at(T0, 60_000),
        at: at(T0, 1000),
      },
      {
        ...about,
        attempt: 2,
        status: 503,
        error: 'HTTP 503',
        nextAttemptAt: at(T0, 120_000),
        at: at(T0, 61_000),
      },
    ]);
  });

  it('records no attempt on an advisory that does not exist', () => {
    expect(() => decide(attempt(1), null, SYSTEM, T0)).toThrow(NotFoundError);
  });
});

describe('recipients: deliveries and acknowledgements on their own stream', () => {
  const advisory = run([[{ type: 'IssueAdvisory', data: ISSUE }, SECRETARIAT, T0]]).state;
  const ctx = (actor: Actor) => ({ now: at(T0, HOURS), actor, policy: POLICY, advisory });
  const foldR = (events: RecipientEvent[]): MaybeRecipient =>
    events.reduce<MaybeRecipient>(
      (s, e, i) => evolveRecipient(s, { ...e, version: i + 1, recordedAt: at(T0, HOURS), actor: SYSTEM }),
      initialRecipient(),
    );

  it('records a delivery once per key, a failure as a failure', () => {
    const data = {
      advisoryId: ID,
      org: 'kaigan-chemical',
      key: '2:advisory:kaigan-csirt:email',
      purpose: 'advisory' as const,
      contactId: 'kaigan-csirt',
      channel: 'email' as const,
      to: 'csirt@kaigan.example',
    };
    const first = decideRecipient(
      { type: 'RecordDelivery', data: { ...data, outcome: { ok: false, reason: 'rejected' } } },
      null,
      ctx(SYSTEM),
    );
    expect(first).toEqual([{ type: 'AdvisoryDeliveryFailed', data: { ...data, reason: 'rejected' } }]);
    expect(
      decideRecipient(
        { type: 'RecordDelivery', data: { ...data, outcome: { ok: true, messageId: 'm' } } },
        foldR(first),
        ctx(SYSTEM),
      ),
    ).toEqual([]);
  });

  it('records each failed attempt once (a redelivery of the same attempt records nothing), and none after the outcome', () => {
    const about = {
      advisoryId: ID,
      org: 'kaigan-chemical',
      key: '2:advisory:kaigan-csirt:webhook',
      purpose: 'advisory' as const,
      contactId: 'kaigan-csirt',
      channel: 'webhook' as const,
    };
    const attempt = (n: number) => ({
      type: 'RecordDeliveryAttempt' as const,
      data: {
        ...about,
        attempt: n,
        status: 503,
        error: 'HTTP 503',
        nextAttemptAt: at(T0, HOURS + n * 60_000),
      },
    });
    const first = decideRecipient(attempt(1), null, ctx(SYSTEM));
    expect(first).toEqual([{ type: 'AdvisoryDeliveryAttemptFailed', data: attempt(1).data }]);
    expect(decideRecipient(attempt(1), foldR(first), ctx(SYSTEM))).toEqual([]);
    const second = decideRecipient(attempt(2), foldR(first), ctx(SYSTEM));
    expect(second).toHaveLength(1);
    const delivered = decideRecipient(
      {
        type: 'RecordDelivery',
        data: {
          ...about,
          to: 'https://hooks.kaigan.example/ceptoar',
          outcome: { ok: true, messageId: 'http-204' },
        },
      },
      foldR([...first, ...second]),
      ctx(SYSTEM),
    );
    const state = foldR([...first, ...second, ...delivered]);
    expect(state?.attempts?.map((a) => [a.attempt, a.error])).toEqual([
      [1, 'HTTP 503'],
      [2, 'HTTP 503'],
    ]);
    expect(state?.deliveries.map((d) => d.ok)).toEqual([true]);
    // An attempt reported after the outcome (a late duplicate) changes nothing.
    expect(decideRecipient(attempt(3), state, ctx(SYSTEM))).toEqual([]);
  });

  it('acknowledges once per contact (link) or person (API); only a recipient organisation’s member may', () => {
    const link = { advisoryId: ID, org: 'kaigan-chemical', contactId: 'kaigan-csirt', via: 'link' as const };
    const linkActor: Actor = { kind: 'system', sub: 'system:ack-link:kaigan-csirt' };
    const first = decideRecipient({ type: 'Acknowledge', data: link }, null, ctx(linkActor));
    // With the advisory's sector (chemical: it names none), which the recipient's stream keeps.
    expect(first).toEqual([
      { type: 'AdvisoryAcknowledged', data: { ...link, sector: 'chemical', by: linkActor.sub } },
    ]);
    const state = foldR(first);
    expect(state?.acknowledgedAt).toBe(at(T0, HOURS));
    expect(state?.sector).toBe('chemical');
    expect(decideRecipient({ type: 'Acknowledge', data: link }, state, ctx(linkActor))).toEqual([]);
    const api = { advisoryId: ID, org: 'kaigan-chemical', contactId: null, via: 'api' as const };
    expect(decideRecipient({ type: 'Acknowledge', data: api }, state, ctx(KAIGAN_MEMBER))).toHaveLength(1);
    expect(() => decideRecipient({ type: 'Acknowledge', data: api }, state, ctx(ASAHI_MEMBER))).toThrow(
      ForbiddenError,
    );
    expect(() =>
      decideRecipient(
        { type: 'Acknowledge', data: { ...link, org: 'not-a-recipient' } },
        null,
        ctx(linkActor),
      ),
    ).toThrow(NotFoundError);
  });
});

describe('TLP: who sees an advisory, and what a member sees of it', () => {
  const make = (tlp: 'RED' | 'AMBER+STRICT' | 'AMBER' | 'GREEN' | 'CLEAR') =>
    must(
      run([
        [{ type: 'IssueAdvisory', data: { ...ISSUE, tlp, audience: ['kaigan-chemical'] } }, SECRETARIAT, T0],
      ]).state,
    );
  const colleague: Actor = { kind: 'user', sub: 'u-kaigan-2', role: 'member', org: 'kaigan-chemical' };

  it.each([
    ['RED', [true, false, false, false]],
    ['AMBER+STRICT', [true, true, false, false]],
    ['AMBER', [true, true, false, false]],
    ['GREEN', [true, true, true, false]],
    ['CLEAR', [true, true, true, true]],
  ] as const)('%s: named contact, colleague, other member, public', (tlp, expected) => {
    const s = make(tlp);
    expect([KAIGAN_MEMBER, colleague, ASAHI_MEMBER, null].map((a) => canSeeAdvisory(s, a))).toEqual(expected);
  });

  it('shows a member its own row only, and the shared incident to the secretariat only', () => {
    const s = { ...make('GREEN'), sourceIncidentId: 'inc-1' };
    const member = advisoryView(s, KAIGAN_MEMBER, []) as Record<string, unknown>;
    expect(member.recipients).toBeUndefined();
    expect(member.sourceIncidentId).toBeUndefined();
    expect((advisoryView(s, NISC, []) as Record<string, unknown>).sourceIncidentId).toBeUndefined();
    expect((advisoryView(s, SECRETARIAT, []) as Record<string, unknown>).sourceIncidentId).toBe('inc-1');
  });
});

describe('the directory', () => {
  const entry: OrganizationEntry = {
    kind: 'member',
    name: { ja: '海岸化学', en: 'Kaigan' },
    contacts: [
      {
        id: 'k',
        name: 'CSIRT',
        email: 'k@example.com',
        phone: '+81312345678',
        lang: 'ja',
        escalation: false,
        primary: 'email',
        secondary: 'sms',
      },
    ],
  };
  const ctx = { now: T0, actor: SECRETARIAT };

  it('registers, updates on change, and ignores a repeat', () => {
    const registered = decideOrganization(
      { type: 'PutOrganization', data: { org: 'kaigan', entry } },
      null,
      ctx,
    );
    expect(registered).toEqual([{ type: 'OrganizationRegistered', data: { org: 'kaigan', entry } }]);
    const state = { org: 'kaigan', entry, createdAt: T0, updatedAt: T0, version: 1 };
    expect(
      decideOrganization({ type: 'PutOrganization', data: { org: 'kaigan', entry } }, state, ctx),
    ).toEqual([]);
    expect(
      decideOrganization({ type: 'SeedOrganization', data: { org: 'kaigan', entry } }, state, ctx),
    ).toEqual([]);
  });

  it('names every bad field: an address missing for a channel, a member contact without a second channel', () => {
    const bad = {
      ...entry,
      contacts: [
        {
          ...must(entry.contacts[0]),
          phone: undefined,
          secondary: undefined,
          webhook: 'http://insecure.example',
        },
      ],
    } as unknown as OrganizationEntry;
    try {
      decideOrganization({ type: 'PutOrganization', data: { org: 'kaigan', entry: bad } }, null, ctx);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fields.map((f) => f.path).sort()).toEqual([
        'contacts.0.secondary',
        'contacts.0.webhook',
      ]);
    }
    expect(() =>
      decideOrganization({ type: 'PutOrganization', data: { org: 'kaigan', entry } }, null, {
        now: T0,
        actor: ASAHI_MEMBER,
      }),
    ).toThrow(ForbiddenError);
  });
});
