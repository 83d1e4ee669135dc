import { describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import {
  type AdvisoryEvent,
  type AdvisoryState,
  evolveAdvisory,
  evolveRecipient,
  initialAdvisory,
  initialRecipient,
  type MaybeAdvisory,
  type MaybeRecipient,
  type RecipientState,
} from '../events/advisory/advisory.ts';
import { forkTarget, issueAdvisoryBody } from '../events/advisory/body.ts';
import { type AdvisoryCommand, decideAdvisory, type MemberRoster } from '../events/advisory/decide.ts';
import {
  canSeeFork,
  childIssue,
  decideFork,
  evolveFork,
  type ForkChildRead,
  type ForkCommand,
  type ForkState,
  forkView,
  initialFork,
} from '../events/advisory/fork.ts';
import { forkListRow } from '../events/advisory/list.ts';
import { ForbiddenError, IllegalStateError, ValidationError } from '../events/errors.ts';
import { relayPolicy } from '../events/policy.ts';
import { type SectorId, sectorIds, sectorsOfMinistry } from '../events/sector/catalog.ts';
import { groupByFork } from '../web/src/advisory-groups.ts';
import { at, HOURS, NISC, T0 } from './support/fixtures.ts';

const POLICY = relayPolicy();
const FORK_ID = '5d1c7a2e-3b4f-4c6d-8e9f-0a1b2c3d4e5f';
/** A stand-in for the derived child id (functions/aggregates/advisory-forks.ts): any function of the sector. */
const childId = (sector: SectorId) =>
  `${FORK_ID.slice(0, 24)}${String(sectorIds.indexOf(sector)).padStart(12, '0')}`;

const METI: Actor = { kind: 'user', sub: 'u-meti-1', role: 'ministry', org: 'meti' };
const FSA: Actor = { kind: 'user', sub: 'u-fsa-1', role: 'ministry', org: 'fsa' };
const GAS_NISC: Actor = { kind: 'user', sub: 'u-nisc-gas', role: 'nisc', sector: 'gas' };
const secretariatOf = (sector: SectorId): Actor => ({
  kind: 'user',
  sub: `u-sec-${sector}`,
  role: 'secretariat',
  sector,
});
const memberOf = (sector: SectorId, org: string): Actor => ({
  kind: 'user',
  sub: `u-${org}`,
  role: 'member',
  org,
  sector,
});
const AUDITOR_OF_GAS: Actor = { kind: 'user', sub: 'u-audit-gas', role: 'auditor', sector: 'gas' };

const fork = (
  target: ForkCommand['data']['target'],
  extra: Partial<ForkCommand['data']> = {},
): ForkCommand => ({
  type: 'ForkAdvisory',
  data: {
    forkId: FORK_ID,
    target,
    audience: 'all',
    title: 'VPN appliance exploited',
    body: 'Patch now.',
    tlp: 'GREEN',
    severity: 'high',
    ackWithinHours: 48,
    drill: true,
    childId,
    ...extra,
  },
});

/** The fork NISC made of a decision at T0. */
function forked(command: ForkCommand, actor: Actor = NISC): ForkState {
  const events = decideFork(command, initialFork(), { now: T0, actor });
  const state = events.reduce(
    (s, e, i) => evolveFork(s, { ...e, version: i + 1, recordedAt: T0, actor }),
    initialFork(),
  );
  if (state === null) throw new Error('expected a fork');
  return state;
}

describe('deciding an advisory to several sectors', () => {
  it('NISC names chemical, gas and banking: one child per sector, sorted, with the ids it was given', () => {
    const events = decideFork(fork(['gas', 'chemical', 'banking']), null, { now: T0, actor: NISC });
    expect(events).toEqual([
      {
        type: 'AdvisoryForked',
        data: {
          forkId: FORK_ID,
          requested: ['gas', 'chemical', 'banking'],
          children: [
            { sector: 'banking', advisoryId: childId('banking') },
            { sector: 'chemical', advisoryId: childId('chemical') },
            { sector: 'gas', advisoryId: childId('gas') },
          ],
          title: 'VPN appliance exploited',
          body: 'Patch now.',
          tlp: 'GREEN',
          severity: 'high',
          ackWithinHours: 48,
          drill: true,
          issuedBy: 'u-nisc-1',
          issuerRole: 'nisc',
        },
      },
    ]);
  });

  it('NISC sends to all: every one of the 18 sectors', () => {
    const state = forked(fork('all'));
    expect(state.requested).toBe('all');
    expect(state.children.map((c) => c.sector)).toEqual([...sectorIds].sort());
  });

  it('a ministry sends to all: the sectors it oversees, and nothing else', () => {
    const state = forked(fork('all'), METI);
    expect(state.issuerRole).toBe('ministry');
    expect(state.children.map((c) => c.sector)).toEqual(sectorsOfMinistry('meti').sort());
  });

  it('a sector another caller does not see is a 400 naming that entry', () => {
    const error = (() => {
      try {
        decideFork(fork(['gas', 'banking']), null, { now: T0, actor: GAS_NISC });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields).toEqual([
      { path: 'sectors.1', message: 'not a sector of yours' },
    ]);
    expect(() => decideFork(fork(['chemical', 'banking']), null, { now: T0, actor: METI })).toThrow(
      ValidationError,
    );
  });

  it('sectors with sector, or with a list of organisations, is a 400 naming each field', () => {
    try {
      decideFork(fork(['gas'], { sector: 'gas', audience: ['tokyo-gas'] }), null, { now: T0, actor: NISC });
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).fields.map((f) => f.path)).toEqual(['sector', 'audience']);
    }
  });

  it('the secretariat and members may not fork (403); a second fork of one id is refused', () => {
    expect(() => decideFork(fork(['gas']), null, { now: T0, actor: secretariatOf('gas') })).toThrow(
      ForbiddenError,
    );
    expect(() => decideFork(fork(['gas']), null, { now: T0, actor: memberOf('gas', 'tokyo-gas') })).toThrow(
      ForbiddenError,
    );
    const state = forked(fork(['gas']));
    expect(() => decideFork(fork(['gas']), state, { now: T0, actor: NISC })).toThrow(IllegalStateError);
  });

  it('a child is an ordinary advisory of its sector to all its members, linked to the parent', () => {
    const state = forked(fork(['banking', 'gas']));
    const gas = state.children.find((c) => c.sector === 'gas');
    if (!gas) throw new Error('no gas child');
    const roster: MemberRoster = { members: ['tokyo-gas'], logins: {} };
    expect(childIssue(state, gas, roster)).toEqual({
      type: 'IssueAdvisory',
      data: {
        advisoryId: childId('gas'),
        parentId: FORK_ID,
        sector: 'gas',
        title: 'VPN appliance exploited',
        body: 'Patch now.',
        tlp: 'GREEN',
        severity: 'high',
        ackWithinHours: 48,
        audience: 'all',
        drill: true,
        roster,
      },
    });
    const issued = decideAdvisory(childIssue(state, gas, roster), null, {
      now: T0,
      actor: NISC,
      policy: POLICY,
    });
    expect(issued[0]).toMatchObject({
      type: 'AdvisoryIssued',
      data: { advisoryId: childId('gas'), parentId: FORK_ID, sector: 'gas', issuerRole: 'nisc' },
    });
  });
});

describe('the body of POST /advisories', () => {
  const base = { title: 't', body: 'b', tlp: 'GREEN' };
  const issues = (body: unknown) => {
    const r = issueAdvisoryBody().safeParse(body);
    return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
  };
  it('takes a list of sector ids or all, and the body without sectors as before', () => {
    expect(issues({ ...base })).toEqual([]);
    expect(issues({ ...base, sector: 'gas' })).toEqual([]);
    expect(issues({ ...base, sectors: 'all' })).toEqual([]);
    expect(issues({ ...base, sectors: ['gas', 'banking'] })).toEqual([]);
    expect(forkTarget(['gas', 'banking'])).toEqual(['gas', 'banking']);
  });
  it('names each bad entry: an unknown sector, a repeat, an empty list, anything else', () => {
    expect(issues({ ...base, sectors: ['gas', 'atlantis', 'gas'] })).toEqual(['sectors.1', 'sectors.2']);
    expect(issues({ ...base, sectors: [] })).toEqual(['sectors']);
    expect(issues({ ...base, sectors: 'some' })).toEqual(['sectors']);
  });
});

// The rates: three sectors' chains, folded from their own decisions, acknowledged in some.
const ROSTERS: Record<'banking' | 'chemical' | 'gas', MemberRoster> = {
  banking: { members: ['bank-1', 'bank-2'], logins: {} },
  chemical: { members: ['chem-1', 'chem-2', 'chem-3', 'chem-4'], logins: {} },
  gas: { members: ['gas-1', 'gas-2', 'gas-3'], logins: {} },
};
const MINISTRY_OF = { banking: FSA, chemical: METI, gas: METI };

/** A child's chain: issued at T0, forwarded by the ministry and the secretariat at `distributeAfter` (or not). */
function chain(state: ForkState, sector: 'banking' | 'chemical' | 'gas', distributeAfter: number | null) {
  const child = state.children.find((c) => c.sector === sector);
  if (!child) throw new Error(`no ${sector} child`);
  let s: MaybeAdvisory = initialAdvisory();
  let version = 0;
  const apply = (command: AdvisoryCommand, actor: Actor, now: string) => {
    for (const e of decideAdvisory(command, s, { now, actor, policy: POLICY }))
      s = evolveAdvisory(s, { ...(e as AdvisoryEvent), version: ++version, recordedAt: now, actor });
  };
  apply(childIssue(state, child, ROSTERS[sector]), NISC, T0);
  if (distributeAfter !== null) {
    const t = at(T0, distributeAfter);
    apply({ type: 'ForwardAdvisory', data: { roster: ROSTERS[sector] } }, MINISTRY_OF[sector], t);
    apply({ type: 'ForwardAdvisory', data: { roster: ROSTERS[sector] } }, secretariatOf(sector), t);
  }
  return { child, state: s as MaybeAdvisory };
}

/** A recipient delivered at `deliveredAt` and, unless null, acknowledged at `ackAt`. */
function recipient(
  advisoryId: string,
  org: string,
  deliveredAt: string,
  ackAt: string | null,
): RecipientState {
  let r: MaybeRecipient = initialRecipient();
  const actor: Actor = { kind: 'system', sub: 'system:notifier' };
  r = evolveRecipient(r, {
    type: 'AdvisoryDelivered',
    data: {
      advisoryId,
      org,
      key: '1',
      purpose: 'advisory',
      contactId: 'c',
      channel: 'email',
      to: 'x@y',
      messageId: 'm',
    },
    version: 1,
    recordedAt: deliveredAt,
    actor,
  });
  if (ackAt)
    r = evolveRecipient(r, {
      type: 'AdvisoryAcknowledged',
      data: { advisoryId, org, contactId: 'c', by: 'link', via: 'link' },
      version: 2,
      recordedAt: ackAt,
      actor,
    });
  if (r === null) throw new Error('expected a recipient');
  return r;
}

function reads(): { state: ForkState; children: ForkChildRead[] } {
  const state = forked(fork(['banking', 'chemical', 'gas']));
  const d = at(T0, HOURS);
  const banking = chain(state, 'banking', HOURS);
  const chemical = chain(state, 'chemical', HOURS);
  const gas = chain(state, 'gas', null);
  const read = (c: ReturnType<typeof chain>, recipients: RecipientState[]): ForkChildRead => ({
    ...c.child,
    state: c.state,
    recipients,
  });
  return {
    state,
    children: [
      // Banking: both acknowledge, one within the day, one after 30 h (still inside the 48 h window).
      read(banking, [
        recipient(banking.child.advisoryId, 'bank-1', d, at(d, 2 * HOURS)),
        recipient(banking.child.advisoryId, 'bank-2', d, at(d, 30 * HOURS)),
      ]),
      // Chemical: one of four acknowledges, within the hour; one never delivered.
      read(chemical, [
        recipient(chemical.child.advisoryId, 'chem-1', d, at(d, HOURS)),
        recipient(chemical.child.advisoryId, 'chem-2', d, null),
        recipient(chemical.child.advisoryId, 'chem-3', d, null),
      ]),
      // Gas: still awaiting its ministry.
      read(gas, []),
    ],
  };
}

describe('the per-sector and overall transmission rates', () => {
  it('NISC sees every chain and the figures over them, exactly', () => {
    const { state, children } = reads();
    const view = forkView(state, NISC, children);
    expect(view.sectors).toEqual(['banking', 'chemical', 'gas']);
    expect(
      view.children.map(
        ({
          sector,
          status,
          recipients,
          delivered,
          acknowledged,
          withinWindow,
          rate,
          acknowledgedWithinOneDay,
          oneDayRate,
        }) => ({
          sector,
          status,
          recipients,
          delivered,
          acknowledged,
          withinWindow,
          rate,
          acknowledgedWithinOneDay,
          oneDayRate,
        }),
      ),
    ).toEqual([
      {
        sector: 'banking',
        status: 'distributed',
        recipients: 2,
        delivered: 2,
        acknowledged: 2,
        withinWindow: 2,
        rate: 1,
        acknowledgedWithinOneDay: 1,
        oneDayRate: 0.5,
      },
      {
        sector: 'chemical',
        status: 'distributed',
        recipients: 4,
        delivered: 3,
        acknowledged: 1,
        withinWindow: 1,
        rate: 0.25,
        acknowledgedWithinOneDay: 1,
        oneDayRate: 0.25,
      },
      {
        sector: 'gas',
        status: 'awaiting_ministry',
        recipients: 0,
        delivered: 0,
        acknowledged: 0,
        withinWindow: 0,
        rate: 0,
        acknowledgedWithinOneDay: 0,
        oneDayRate: null,
      },
    ]);
    expect(view.overall).toEqual({
      sectors: 3,
      distributed: 2,
      recipients: 6,
      delivered: 5,
      acknowledged: 3,
      withinWindow: 3,
      rate: 0.5,
      acknowledgedWithinOneDay: 2,
      oneDayRate: 2 / 6,
    });
  });

  it('a ministry sees its own sectors only, and the overall over them', () => {
    const { state, children } = reads();
    const meti = forkView(state, METI, children);
    expect(meti.sectors).toEqual(['chemical', 'gas']);
    expect(meti.overall).toMatchObject({ sectors: 2, recipients: 4, acknowledged: 1, rate: 0.25 });
    const fsa = forkView(state, FSA, children);
    expect(fsa.sectors).toEqual(['banking']);
    expect(fsa.overall).toMatchObject({ sectors: 1, recipients: 2, withinWindow: 2, rate: 1 });
    expect(JSON.stringify(fsa)).not.toContain(childId('chemical'));
  });

  it('who reads the parent: NISC, the ministries of its sectors, auditors; never a secretariat or member', () => {
    const { state } = reads();
    expect(canSeeFork(state, NISC)).toBe(true);
    expect(canSeeFork(state, METI)).toBe(true);
    expect(canSeeFork(state, FSA)).toBe(true);
    expect(canSeeFork(state, AUDITOR_OF_GAS)).toBe(true);
    expect(canSeeFork(state, { kind: 'user', sub: 'u-mhlw', role: 'ministry', org: 'mhlw' })).toBe(false);
    expect(canSeeFork(state, { kind: 'user', sub: 'u-nisc-water', role: 'nisc', sector: 'water' })).toBe(
      false,
    );
    expect(canSeeFork(state, secretariatOf('gas'))).toBe(false);
    expect(canSeeFork(state, memberOf('banking', 'bank-1'))).toBe(false);
  });
});

describe('the parent as a row of GET /advisories', () => {
  const childStates = (children: ForkChildRead[]) =>
    new Map(children.map((c) => [c.advisoryId, c.state as AdvisoryState | null]));
  const asUser = (a: Actor) => a as Extract<Actor, { kind: 'user' }>;

  it('gives NISC every sector and a ministry its own, with each child’s progress and the counts over them', () => {
    const { state, children } = reads();
    const nisc = forkListRow(state, asUser(NISC), childStates(children));
    expect(nisc).toMatchObject({ id: FORK_ID, view: 'fork', sectors: ['banking', 'chemical', 'gas'] });
    expect(nisc?.children).toEqual([
      { sector: 'banking', advisoryId: childId('banking'), status: 'distributed', recipients: 2 },
      { sector: 'chemical', advisoryId: childId('chemical'), status: 'distributed', recipients: 4 },
      { sector: 'gas', advisoryId: childId('gas'), status: 'awaiting_ministry', recipients: 0 },
    ]);
    expect(nisc?.overall).toEqual({ sectors: 3, distributed: 2, recipients: 6 });
    const meti = forkListRow(state, asUser(METI), childStates(children));
    expect(meti?.sectors).toEqual(['chemical', 'gas']);
    expect(meti?.overall).toEqual({ sectors: 2, distributed: 1, recipients: 4 });
    expect(JSON.stringify(meti)).not.toContain(childId('banking'));
    // A list naming one sector (`?sector=gas`) gives the parent over that sector only.
    expect(forkListRow(state, asUser(NISC), childStates(children), ['gas'])?.sectors).toEqual(['gas']);
    // A child the reaction has not issued yet is pending.
    const early = forkListRow(state, asUser(NISC), new Map());
    expect(early?.children.map((c) => c.status)).toEqual(['pending', 'pending', 'pending']);
  });

  it('is no row for a caller of one sector, nor one who may not read the parent', () => {
    const { state, children } = reads();
    const read = childStates(children);
    expect(forkListRow(state, asUser(secretariatOf('gas')), read)).toBeNull();
    expect(forkListRow(state, asUser(memberOf('banking', 'bank-1')), read)).toBeNull();
    expect(forkListRow(state, asUser(AUDITOR_OF_GAS), read)).toBeNull();
    expect(
      forkListRow(state, asUser({ kind: 'user', sub: 'u-mhlw', role: 'ministry', org: 'mhlw' }), read),
    ).toBeNull();
  });

  it('groups the children on the console under their parent, at the first one’s place', () => {
    const { state, children } = reads();
    const parent = forkListRow(state, asUser(NISC), childStates(children));
    if (parent === null) throw new Error('expected a row');
    const row = (id: string, parentId?: string) =>
      ({ id, ...(parentId ? { parentId } : {}) }) as unknown as Parameters<typeof groupByFork>[0][number];
    const rows = [
      row('a'),
      row(childId('banking'), FORK_ID),
      row('b'),
      row(childId('gas'), FORK_ID),
      row('c', 'an-unknown-parent'),
    ];
    const entries = groupByFork(rows, new Map([[FORK_ID, parent]]));
    expect(
      entries.map((e) => (e.kind === 'fork' ? `fork:${e.children.map((c) => c.id).join(',')}` : e.row.id)),
    ).toEqual(['a', `fork:${childId('banking')},${childId('gas')}`, 'b', 'c']);
  });
});
