import { type Actor, hasRole } from '../actor.ts';
import { builtOnce } from '../built-once.ts';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '../errors.ts';
import { text, tlpLabels } from '../fields.ts';
import { affectedSystemKinds, categories, contactSchema } from '../incident/report.ts';
import { severities } from '../policy.ts';
import { type SectorId, sectorIds } from '../sector/catalog.ts';
import { canSeeSector, ministryOfActor } from '../sector/visibility.ts';
import { DONE, type WaitPlan, waitUntil } from '../workflow-plan.ts';
import * as z from '../zod.ts';

/**
 * A cross-sector exercise (分野横断的演習): NISC or a ministry prepares a scenario of timed injects
 * (scripted incident reports and advisories) for participating sectors and organisations; once
 * started, each inject is released at its offset and becomes a real incident or advisory marked as
 * the exercise's, on which the participants act in the normal system. Pure: time comes as `now`.
 */

/** The mark every exercise message carries, as drills do. */
export const EXERCISE_MARK = '【訓練】[DRILL] ';

export const participantRoles = ['participant', 'observer'] as const;
export type ParticipantRole = (typeof participantRoles)[number];
export const injectKinds = ['incident', 'advisory'] as const;
export type InjectKind = (typeof injectKinds)[number];
export const actionRoles = ['member', 'secretariat', 'ministry', 'nisc'] as const;
export type ActionRole = (typeof actionRoles)[number];
export const actionKinds = ['report', 'approve', 'forward', 'receipt', 'acknowledge'] as const;
export type ActionKind = (typeof actionKinds)[number];

/** Which action each role can take on each kind of inject (what the normal system records). */
export const actionOf: Readonly<Record<InjectKind, Partial<Record<ActionRole, ActionKind>>>> = {
  // member: a follow-up report (続報); secretariat: approves the relay; ministry, NISC: acknowledge receipt.
  incident: { member: 'report', secretariat: 'approve', ministry: 'receipt', nisc: 'receipt' },
  // ministry, secretariat: forward down the chain; member: acknowledges.
  advisory: { ministry: 'forward', secretariat: 'forward', member: 'acknowledge' },
};

const slug = () => z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be an id such as inject-1'));
const org = () => z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be an organisation id'));
const instant = () =>
  z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone' });

const expectedSchema = () =>
  z.strictObject({
    role: z.enum(actionRoles),
    action: z.enum(actionKinds),
    /** Minutes from the inject's release (divided by CEPTOAR_TIME_SCALE like every policy duration). */
    withinMinutes: z.int().check(z.minimum(1), z.maximum(10_080)),
  });
export type ExpectedAction = z.infer<ReturnType<typeof expectedSchema>>;

const injectCommon = () => ({
  id: slug(),
  /** Minutes after the start the inject is released (scaled like the policy's durations). */
  offsetMinutes: z.int().check(z.minimum(0), z.maximum(10_080)),
  sector: z.enum(sectorIds),
  title: text(200),
  body: text(20_000),
  severity: z._default(z.enum(severities), 'high'),
  tlp: z._default(z.enum(tlpLabels), 'GREEN'),
  expected: z.array(expectedSchema()).check(z.maxLength(20)),
});

const injectSchema = () => {
  const common = injectCommon();
  return z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('incident'),
      ...common,
      /** The member organisation the scripted report comes from (a participant of the sector). */
      from: org(),
      category: z._default(z.enum(categories), 'cyber_attack'),
      affectedSystems: z._default(z.array(z.enum(affectedSystemKinds)).check(z.minLength(1)), [
        'business_it',
      ]),
      contact: contactSchema(),
    }),
    z.strictObject({
      kind: z.literal('advisory'),
      ...common,
      /** Who issues it: NISC (then the ministry forwards) or the sector's ministry. */
      from: z.enum(['nisc', 'ministry']),
      ackWithinHours: z._default(z.int().check(z.minimum(1), z.maximum(720)), 24),
    }),
  ]);
};
export type Inject = z.output<ReturnType<typeof injectSchema>>;

/**
 * The body of POST /exercises, built on its first use: the exercise module is imported by the
 * functions that read exercises and by the audit, which never parse this body (bench/RESULTS.md, section 2).
 */
export const exerciseBody = /* @__PURE__ */ builtOnce(() =>
  z.strictObject({
    title: z.strictObject({ ja: text(200), en: text(200) }),
    sectors: z.array(z.enum(sectorIds)).check(
      z.minLength(1, 'name at least one sector'),
      z.refine((a) => new Set(a).size === a.length, 'must not repeat a sector'),
    ),
    participants: z.array(z.strictObject({ org: org(), role: z.enum(participantRoles) })).check(
      z.minLength(1, 'name at least one participant'),
      z.maxLength(500),
      z.refine((a) => new Set(a.map((p) => p.org)).size === a.length, 'must not repeat an organisation'),
    ),
    plannedStart: instant(),
    injects: z.array(injectSchema()).check(
      z.minLength(1, 'the scenario needs at least one inject'),
      z.maxLength(100),
      z.refine((a) => new Set(a.map((i) => i.id)).size === a.length, 'inject ids must be unique'),
    ),
  }),
);
export type ExerciseBody = z.output<ReturnType<typeof exerciseBody>>;

/** A participating organisation, with the sector the directory files it under. */
export interface Participant {
  readonly org: string;
  readonly sector: SectorId;
  readonly role: ParticipantRole;
  readonly name: string;
  /** Its directory kind: a member company or a sector's secretariat. */
  readonly kind: 'member' | 'secretariat';
}

export type ExerciseStatus = 'planned' | 'running' | 'ended';

/** The events of an exercise's stream (`exercise#<id>`). */
export type ExerciseEvent =
  | {
      type: 'ExercisePrepared';
      data: {
        exerciseId: string;
        title: { ja: string; en: string };
        sectors: SectorId[];
        participants: Participant[];
        plannedStart: string;
        injects: Inject[];
        preparedBy: string;
        preparerRole: 'nisc' | 'ministry';
        /** The ministry id of a ministry's exercise. */
        ministry?: string;
      };
    }
  | {
      type: 'ExerciseStarted';
      /** `timeScale`: the divisor of every offset and expected delay, kept so the report reads the same later. */
      data: { timeScale: number; releaseAt: Record<string, string> };
    }
  | { type: 'ExerciseWaitStarted'; data: { attempt: number; dueAt: string; taskToken: string } }
  | {
      type: 'InjectReleased';
      /** `streamId`: the incident or advisory the inject becomes (its id derived from the exercise's and the inject's). */
      data: { injectId: string; kind: InjectKind; sector: SectorId; streamId: string };
    }
  | { type: 'ExerciseEnded'; data: { by: 'caller' | 'scenario' } };

/** An exercise as folded from its stream. */
export interface ExerciseState {
  readonly id: string;
  readonly title: { ja: string; en: string };
  readonly status: ExerciseStatus;
  readonly sectors: SectorId[];
  readonly participants: Participant[];
  readonly plannedStart: string;
  readonly injects: Inject[];
  readonly preparedBy: string;
  readonly preparerRole: 'nisc' | 'ministry';
  readonly ministry?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly timeScale: number;
  readonly releaseAt: Record<string, string>;
  readonly released: Record<string, { at: string; streamId: string; sector: SectorId; kind: InjectKind }>;
  readonly waits: number;
  readonly taskToken: string | null;
  readonly version: number;
}
export type MaybeExercise = ExerciseState | null;

/** Commands on an exercise. `directory`: each participant's directory entry (null when unknown). */
export type ExerciseCommand =
  | {
      type: 'PrepareExercise';
      data: {
        exerciseId: string;
        body: ExerciseBody;
        directory: Readonly<Record<string, { sector: SectorId | null; kind: string; name: string } | null>>;
      };
    }
  | { type: 'StartExercise'; data: { timeScale: number } }
  | { type: 'EndExercise'; data: Record<string, never> }
  | { type: 'StartExerciseWait'; data: { attempt: number; dueAt: string; taskToken: string } }
  /** `subjectId`: the id an inject's incident or advisory gets (functions/exercises/exercise-subject.ts). */
  | { type: 'ReleaseDueInjects'; data: { subjectId: (injectId: string) => string } };

export interface ExerciseContext {
  readonly now: string;
  readonly actor: Actor;
}

export const initialExercise = (): MaybeExercise => null;

/** Folds one exercise event. */
export function evolveExercise(
  state: MaybeExercise,
  event: ExerciseEvent & { version: number; recordedAt: string },
): MaybeExercise {
  const at = event.recordedAt;
  if (event.type === 'ExercisePrepared') {
    const d = event.data;
    return {
      id: d.exerciseId,
      title: d.title,
      status: 'planned',
      sectors: d.sectors,
      participants: d.participants,
      plannedStart: d.plannedStart,
      injects: d.injects,
      preparedBy: d.preparedBy,
      preparerRole: d.preparerRole,
      ...(d.ministry ? { ministry: d.ministry } : {}),
      createdAt: at,
      updatedAt: at,
      startedAt: null,
      endedAt: null,
      timeScale: 1,
      releaseAt: {},
      released: {},
      waits: 0,
      taskToken: null,
      version: event.version,
    };
  }
  if (state === null) return state;
  const next = { ...state, updatedAt: at, version: event.version };
  switch (event.type) {
    case 'ExerciseStarted':
      return {
        ...next,
        status: 'running',
        startedAt: at,
        timeScale: event.data.timeScale,
        releaseAt: event.data.releaseAt,
      };
    case 'ExerciseWaitStarted':
      return { ...next, waits: state.waits + 1, taskToken: event.data.taskToken };
    case 'InjectReleased': {
      const { injectId, streamId, sector, kind } = event.data;
      return { ...next, released: { ...state.released, [injectId]: { at, streamId, sector, kind } } };
    }
    case 'ExerciseEnded':
      return { ...next, status: 'ended', endedAt: at };
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

/** Whether the caller may see the exercise: NISC all; a ministry those touching its sectors; a participant or observer organisation and its sector's secretariat theirs. */
export function canSeeExercise(state: ExerciseState, actor: Actor): boolean {
  if (actor.kind === 'system') return true;
  switch (actor.role) {
    case 'nisc':
    case 'auditor':
      return state.sectors.some((s) => canSeeSector(actor, s));
    case 'ministry':
      return state.sectors.some((s) => canSeeSector(actor, s));
    case 'secretariat':
      return (
        state.participants.some((p) => p.org === actor.org) ||
        state.sectors.some((s) => canSeeSector(actor, s) && state.participants.some((p) => p.sector === s))
      );
    case 'member':
      return state.participants.some((p) => p.org === actor.org && canSeeSector(actor, p.sector));
    default: {
      const _never: never = actor.role;
      return _never;
    }
  }
}

const addMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const minutesMs = (minutes: number, timeScale: number) => (minutes * 60_000) / timeScale;

function validatePrepare(
  body: ExerciseBody,
  directory: Extract<ExerciseCommand, { type: 'PrepareExercise' }>['data']['directory'],
  actor: Actor,
): Participant[] {
  const fields: { path: string; message: string }[] = [];
  body.sectors.forEach((s, i) => {
    if (!canSeeSector(actor, s)) fields.push({ path: `sectors.${i}`, message: 'not a sector of yours' });
  });
  const participants: Participant[] = [];
  body.participants.forEach((p, i) => {
    const entry = directory[p.org] ?? null;
    if (
      entry === null ||
      entry.sector === null ||
      (entry.kind !== 'member' && entry.kind !== 'secretariat')
    ) {
      fields.push({
        path: `participants.${i}.org`,
        message: `${p.org} is not a member or secretariat organisation`,
      });
      return;
    }
    if (!body.sectors.includes(entry.sector)) {
      fields.push({
        path: `participants.${i}.org`,
        message: `${p.org} is in ${entry.sector}, not a sector of this exercise`,
      });
      return;
    }
    participants.push({ org: p.org, sector: entry.sector, role: p.role, name: entry.name, kind: entry.kind });
  });
  body.injects.forEach((inject, i) => {
    if (!body.sectors.includes(inject.sector))
      fields.push({ path: `injects.${i}.sector`, message: 'must be one of the exercise’s sectors' });
    if (inject.kind === 'incident') {
      const from = participants.find((p) => p.org === inject.from);
      if (from?.kind !== 'member' || from.role !== 'participant' || from.sector !== inject.sector)
        fields.push({
          path: `injects.${i}.from`,
          message: 'must be a participating member organisation of the inject’s sector',
        });
    } else {
      if (inject.from === 'nisc' && hasRole(actor, 'ministry'))
        fields.push({
          path: `injects.${i}.from`,
          message: 'a ministry’s exercise issues its advisories itself (ministry)',
        });
      if (!participants.some((p) => p.sector === inject.sector && p.kind === 'member'))
        fields.push({
          path: `injects.${i}.sector`,
          message: 'no member organisation of this sector takes part',
        });
    }
    const seen = new Set<string>();
    inject.expected.forEach((e, j) => {
      const path = `injects.${i}.expected.${j}`;
      if (actionOf[inject.kind][e.role] !== e.action)
        fields.push({
          path: `${path}.action`,
          message: `on an ${inject.kind} inject the ${e.role} can only ${actionOf[inject.kind][e.role] ?? 'not act'}`,
        });
      if (inject.kind === 'advisory' && inject.from === 'ministry' && e.role === 'ministry')
        fields.push({
          path: `${path}.role`,
          message: 'the ministry issues this advisory; it forwards nothing',
        });
      if (seen.has(e.role)) fields.push({ path: `${path}.role`, message: 'one expected action per role' });
      seen.add(e.role);
    });
  });
  if (fields.length > 0) throw new ValidationError('the exercise is invalid', fields);
  return participants;
}

/** The exercise, or 404 when it does not exist or the caller may not know it. */
function visible(state: MaybeExercise, actor: Actor): ExerciseState {
  if (state === null || !canSeeExercise(state, actor)) throw new NotFoundError('no such exercise');
  return state;
}

function requireConductor(state: ExerciseState, actor: Actor) {
  if (actor.kind === 'system') return;
  if (actor.role === 'nisc') return;
  if (
    actor.role === 'ministry' &&
    state.preparerRole === 'ministry' &&
    ministryOfActor(actor) === state.ministry
  )
    return;
  throw new ForbiddenError('only NISC or the ministry that prepared it conducts an exercise');
}

/** The injects due at `now` and not yet released, in release order. */
export function dueInjects(state: ExerciseState, now: string): Inject[] {
  return state.injects
    .filter((i) => !state.released[i.id] && (state.releaseAt[i.id] ?? '') <= now)
    .sort((a, b) => (state.releaseAt[a.id] ?? '').localeCompare(state.releaseAt[b.id] ?? ''));
}

/** Decides an exercise command. Pure. */
export function decideExercise(
  command: ExerciseCommand,
  state: MaybeExercise,
  ctx: ExerciseContext,
): ExerciseEvent[] {
  const { actor, now } = ctx;
  switch (command.type) {
    case 'PrepareExercise': {
      if (!hasRole(actor, 'nisc', 'ministry') || actor.kind !== 'user')
        throw new ForbiddenError('only NISC or a ministry prepares an exercise');
      if (state !== null) throw new IllegalStateError('this exercise was already prepared');
      const { body, directory, exerciseId } = command.data;
      const participants = validatePrepare(body, directory, actor);
      const ministry = actor.role === 'ministry' ? ministryOfActor(actor) : null;
      return [
        {
          type: 'ExercisePrepared',
          data: {
            exerciseId,
            title: body.title,
            sectors: body.sectors,
            participants,
            plannedStart: body.plannedStart,
            injects: body.injects,
            preparedBy: actor.sub,
            preparerRole: actor.role === 'nisc' ? 'nisc' : 'ministry',
            ...(ministry ? { ministry } : {}),
          },
        },
      ];
    }
    case 'StartExercise': {
      const s = visible(state, actor);
      requireConductor(s, actor);
      if (s.status !== 'planned') throw new IllegalStateError(`the exercise is ${s.status}`);
      const { timeScale } = command.data;
      const releaseAt = Object.fromEntries(
        s.injects.map((i) => [i.id, addMs(now, minutesMs(i.offsetMinutes, timeScale))]),
      );
      return [{ type: 'ExerciseStarted', data: { timeScale, releaseAt } }];
    }
    case 'EndExercise': {
      const s = visible(state, actor);
      requireConductor(s, actor);
      if (s.status !== 'running') throw new IllegalStateError(`the exercise is ${s.status}`);
      return [{ type: 'ExerciseEnded', data: { by: 'caller' } }];
    }
    case 'StartExerciseWait': {
      if (actor.kind !== 'system') throw new ForbiddenError('only the workflow waits');
      if (state === null) throw new NotFoundError('no such exercise');
      // A retried step records its token once.
      if (state.taskToken === command.data.taskToken || state.status !== 'running') return [];
      return [{ type: 'ExerciseWaitStarted', data: command.data }];
    }
    case 'ReleaseDueInjects': {
      if (actor.kind !== 'system') throw new ForbiddenError('only the workflow releases injects');
      if (state === null) throw new NotFoundError('no such exercise');
      if (state.status !== 'running') return [];
      return dueInjects(state, now).map((i) => ({
        type: 'InjectReleased',
        data: {
          injectId: i.id,
          kind: i.kind,
          sector: i.sector,
          streamId: `${i.kind}#${command.data.subjectId(i.id)}`,
        },
      }));
    }
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

/** The exercise workflow's only wait: the next inject's release. */
export const exerciseWaits = ['release'] as const;

/** What the exercise workflow does next: wait for the next unreleased inject, or end. */
export function planExercise(state: MaybeExercise, now: string): WaitPlan<'release'> {
  if (state === null || state.status !== 'running') return DONE;
  const pending = state.injects
    .filter((i) => !state.released[i.id])
    .map((i) => state.releaseAt[i.id] ?? now)
    .sort();
  const next = pending[0];
  if (next === undefined) return DONE;
  return waitUntil('release', state.waits, next, now);
}

/** An exercise as GET /exercises/{id} answers it. */
export const exerciseView = (s: ExerciseState, subjectId: (injectId: string) => string) => ({
  id: s.id,
  title: s.title,
  status: s.status,
  sectors: s.sectors,
  participants: s.participants.map(({ org, sector, role, name }) => ({ org, sector, role, name })),
  plannedStart: s.plannedStart,
  preparedBy: s.preparedBy,
  preparerRole: s.preparerRole,
  startedAt: s.startedAt,
  endedAt: s.endedAt,
  timeScale: s.timeScale,
  injects: s.injects.map((i) => ({
    id: i.id,
    kind: i.kind,
    sector: i.sector,
    from: i.from,
    offsetMinutes: i.offsetMinutes,
    title: i.title,
    expected: i.expected,
    releaseAt: s.releaseAt[i.id] ?? null,
    releasedAt: s.released[i.id]?.at ?? null,
    subjectId: s.released[i.id] ? subjectId(i.id) : null,
  })),
  version: s.version,
});
export type ExerciseView = ReturnType<typeof exerciseView>;

/** A row of GET /exercises. */
export const exerciseSummary = (s: ExerciseState) => ({
  id: s.id,
  title: s.title,
  status: s.status,
  sectors: s.sectors,
  plannedStart: s.plannedStart,
  startedAt: s.startedAt,
  endedAt: s.endedAt,
  injects: s.injects.length,
  released: Object.keys(s.released).length,
});
