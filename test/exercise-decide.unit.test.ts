import { describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import { ForbiddenError, IllegalStateError, ValidationError } from '../events/errors.ts';
import {
  decideExercise,
  type ExerciseEvent,
  evolveExercise,
  exerciseBody,
  type MaybeExercise,
  planExercise,
} from '../events/exercise/exercise.ts';
import { exerciseReport } from '../events/exercise/report.ts';

const NISC: Actor = { kind: 'user', sub: 'nisc-1', role: 'nisc', org: 'nisc' };
const MEMBER: Actor = { kind: 'user', sub: 'm-1', role: 'member', org: 'asahi-petrochem' };
const SYSTEM: Actor = { kind: 'system', sub: 'system:exercise-workflow' };
const T0 = '2026-12-04T01:00:00.000Z';
const DIRECTORY = {
  'asahi-petrochem': { sector: 'chemical' as const, kind: 'member', name: '旭' },
  'gas-member-2': { sector: 'gas' as const, kind: 'member', name: 'ガス2' },
};
const BODY = exerciseBody().parse({
  title: { ja: '演習', en: 'Exercise' },
  sectors: ['chemical', 'gas'],
  participants: [
    { org: 'asahi-petrochem', role: 'participant' },
    { org: 'gas-member-2', role: 'observer' },
  ],
  plannedStart: T0,
  injects: [
    {
      id: 'i1',
      kind: 'incident',
      offsetMinutes: 0,
      sector: 'chemical',
      from: 'asahi-petrochem',
      title: 'Ransomware',
      body: 'Encrypted.',
      contact: { name: 'Control', email: 'c@example.org' },
      expected: [{ role: 'secretariat', action: 'approve', withinMinutes: 30 }],
    },
    {
      id: 'i2',
      kind: 'incident',
      offsetMinutes: 60,
      sector: 'chemical',
      from: 'asahi-petrochem',
      title: 'Follow-on',
      body: 'Spreading.',
      contact: { name: 'Control', email: 'c@example.org' },
      expected: [{ role: 'member', action: 'report', withinMinutes: 30 }],
    },
  ],
});

/** Given these events (each recorded at `at`), the folded state. */
function given(events: Array<[ExerciseEvent, string]>): MaybeExercise {
  return events.reduce<MaybeExercise>(
    (s, [e, at], i) => evolveExercise(s, { ...e, version: i + 1, recordedAt: at } as never),
    null,
  );
}
const prepared = (): [ExerciseEvent, string] => {
  const [e] = decideExercise(
    { type: 'PrepareExercise', data: { exerciseId: 'x1', body: BODY, directory: DIRECTORY } },
    null,
    { now: T0, actor: NISC },
  );
  return [e as ExerciseEvent, T0];
};

describe('preparing', () => {
  it('records the participants with their sectors from the directory', () => {
    const [e] = prepared();
    expect(e.type).toBe('ExercisePrepared');
    if (e.type !== 'ExercisePrepared') return;
    expect(e.data.participants.map((p) => [p.org, p.sector, p.role])).toEqual([
      ['asahi-petrochem', 'chemical', 'participant'],
      ['gas-member-2', 'gas', 'observer'],
    ]);
  });

  it('refuses a member (403), an unknown participant and an action the role cannot take (400)', () => {
    const cmd = {
      type: 'PrepareExercise' as const,
      data: { exerciseId: 'x1', body: BODY, directory: DIRECTORY },
    };
    expect(() => decideExercise(cmd, null, { now: T0, actor: MEMBER })).toThrow(ForbiddenError);
    expect(() =>
      decideExercise(
        { ...cmd, data: { ...cmd.data, directory: { 'asahi-petrochem': DIRECTORY['asahi-petrochem'] } } },
        null,
        {
          now: T0,
          actor: NISC,
        },
      ),
    ).toThrow(ValidationError);
    const wrong = {
      ...BODY,
      injects: [{ ...BODY.injects[0], expected: [{ role: 'nisc', action: 'forward', withinMinutes: 5 }] }],
    } as typeof BODY;
    try {
      decideExercise({ ...cmd, data: { ...cmd.data, body: wrong } }, null, { now: T0, actor: NISC });
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).fields.map((f) => f.path)).toEqual(['injects.0.expected.0.action']);
    }
  });
});

describe('running', () => {
  it('schedules each inject at its offset divided by the time scale, and releases those due', () => {
    const started = decideExercise({ type: 'StartExercise', data: { timeScale: 60 } }, given([prepared()]), {
      now: T0,
      actor: NISC,
    });
    expect(started).toEqual([
      {
        type: 'ExerciseStarted',
        data: { timeScale: 60, releaseAt: { i1: T0, i2: '2026-12-04T01:01:00.000Z' } },
      },
    ]);
    const state = given([prepared(), [started[0] as ExerciseEvent, T0]]);
    expect(planExercise(state, T0)).toMatchObject({ next: 'wait', hop: 'release', timeoutSeconds: 1 });
    const released = decideExercise(
      { type: 'ReleaseDueInjects', data: { subjectId: (i: string) => `s-${i}` } },
      state,
      {
        now: T0,
        actor: SYSTEM,
      },
    );
    expect(released.map((e) => e.type === 'InjectReleased' && e.data.injectId)).toEqual(['i1']);
    const after = given([prepared(), [started[0] as ExerciseEvent, T0], [released[0] as ExerciseEvent, T0]]);
    expect(planExercise(after, T0)).toMatchObject({
      next: 'wait',
      dueAt: '2026-12-04T01:01:00.000Z',
      timeoutSeconds: 60,
    });
    // A repeated release of the same moment adds nothing.
    expect(
      decideExercise({ type: 'ReleaseDueInjects', data: { subjectId: (i: string) => `s-${i}` } }, after, {
        now: T0,
        actor: SYSTEM,
      }),
    ).toEqual([]);
    expect(() =>
      decideExercise({ type: 'ReleaseDueInjects', data: { subjectId: (i: string) => `s-${i}` } }, after, {
        now: T0,
        actor: NISC,
      }),
    ).toThrow(ForbiddenError);
    expect(() =>
      decideExercise({ type: 'StartExercise', data: { timeScale: 1 } }, after, { now: T0, actor: NISC }),
    ).toThrow(IllegalStateError);
  });

  it('reports on time, late, missed and pending from the observed actions', () => {
    const started = decideExercise({ type: 'StartExercise', data: { timeScale: 1 } }, given([prepared()]), {
      now: T0,
      actor: NISC,
    })[0] as ExerciseEvent;
    const t10 = '2026-12-04T01:10:00.000Z';
    const t60 = '2026-12-04T02:00:00.000Z';
    const state = given([
      prepared(),
      [started, T0],
      [
        {
          type: 'InjectReleased',
          data: { injectId: 'i1', kind: 'incident', sector: 'chemical', streamId: 'incident#a' },
        },
        T0,
      ],
      [
        {
          type: 'InjectReleased',
          data: { injectId: 'i2', kind: 'incident', sector: 'chemical', streamId: 'incident#b' },
        },
        t60,
      ],
    ]);
    if (state === null) throw new Error('no state');
    const report = exerciseReport({
      state,
      asOf: '2026-12-04T02:10:00.000Z',
      actions: [{ injectId: 'i1', role: 'secretariat', org: 'secretariat', at: t10 }],
      secretariatOf: { chemical: 'secretariat' },
      subjectIdOf: (i) => i,
    });
    expect(report.rows.map((r) => [r.injectId, r.org, r.outcome, r.seconds])).toEqual([
      ['i1', 'secretariat', 'on_time', 600],
      ['i2', 'asahi-petrochem', 'pending', null],
    ]);
    const later = exerciseReport({
      state,
      asOf: '2026-12-04T03:00:00.000Z',
      actions: [{ injectId: 'i1', role: 'secretariat', org: 'secretariat', at: '2026-12-04T01:40:00.000Z' }],
      secretariatOf: { chemical: 'secretariat' },
      subjectIdOf: (i) => i,
    });
    expect(later.rows.map((r) => r.outcome)).toEqual(['late', 'missed']);
    expect(later.sectors.find((s) => s.sector === 'chemical')).toMatchObject({
      expected: 2,
      late: 1,
      missed: 1,
      rate: 0,
    });
  });
});
