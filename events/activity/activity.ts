import { type Actor, hasRole } from '../actor.ts';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '../errors.ts';
import { isCalendarDate, plainText, text } from '../fields.ts';
import { DEFAULT_SECTOR, type SectorId } from '../sector/catalog.ts';
import { canSeeSector } from '../sector/visibility.ts';
import * as z from '../zod.ts';

/**
 * The secretariat's record of what happened outside the system (WG meetings and who attended,
 * an exchange with JPCERT/CC, council meetings, reports to committees), so the fiscal-year
 * report can list them; each may carry minutes (a file kept in the blob store, named here by
 * its SHA-256).
 */

/** The kinds of activity a secretariat records. */
export const activityKinds = [
  'wg-meeting',
  'jpcert-exchange',
  'council-meeting',
  'committee-report',
  'other',
] as const;
export type ActivityKind = (typeof activityKinds)[number];

/** Minutes files per activity. */
export const MAX_MINUTES = 20;

const dateSchema = () =>
  z
    .string()
    .check(
      z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2015-06-12'),
      z.refine(isCalendarDate, 'must be a real calendar date'),
    );

const participantText = () => text(200);

/** POST /activities: what the secretariat records. */
export const activityInputSchema = () =>
  z.strictObject({
    /** The day it took place, in Japan (YYYY-MM-DD). */
    date: dateSchema(),
    kind: z.enum(activityKinds),
    title: text(200),
    participants: z._default(
      z.strictObject({
        /** Directory ids or names of the organisations that took part. */
        organizations: z._default(z.array(participantText()).check(z.maxLength(200)), []),
        /** Names of the people who took part. */
        people: z._default(z.array(participantText()).check(z.maxLength(200)), []),
      }),
      { organizations: [], people: [] },
    ),
    note: z._default(z.string().check(plainText(), z.trim(), z.maxLength(2000)), ''),
  });
export type ActivityInput = z.output<ReturnType<typeof activityInputSchema>>;

/** One attached minutes file, as the log records it. */
export interface MinutesEntry {
  readonly n: number;
  readonly filename: string;
  readonly contentType:
    | 'application/pdf'
    | 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
    | 'text/plain; charset=utf-8';
  readonly size: number;
  readonly sha256: string;
  /** The blob store's key. */
  readonly key: string;
  readonly attachedAt: string;
  readonly attachedBy: string;
}

/** The events of an activity's stream (`activity#<uuid>`). */
export type ActivityEvent =
  | { type: 'ActivityRecorded'; data: { activityId: string; sector: SectorId } & ActivityInput }
  | { type: 'MinutesAttached'; data: Omit<MinutesEntry, 'attachedAt' | 'attachedBy'> };

export interface ActivityState extends ActivityInput {
  readonly id: string;
  readonly sector: SectorId;
  readonly recordedAt: string;
  readonly recordedBy: string;
  readonly minutes: readonly MinutesEntry[];
  readonly version: number;
}
export type MaybeActivity = ActivityState | null;
export const initialActivity = (): MaybeActivity => null;

export type ActivityCommand =
  | { type: 'RecordActivity'; data: { activityId: string; sector: SectorId; input: ActivityInput } }
  | { type: 'AttachMinutes'; data: Omit<MinutesEntry, 'n' | 'attachedAt' | 'attachedBy'> };

/** Folds one activity event. */
export function evolveActivity(
  state: MaybeActivity,
  event: ActivityEvent & { version: number; recordedAt: string; actor: Actor },
): MaybeActivity {
  switch (event.type) {
    case 'ActivityRecorded': {
      const { activityId, sector, ...input } = event.data;
      return {
        ...input,
        id: activityId,
        sector,
        recordedAt: event.recordedAt,
        recordedBy: event.actor.sub,
        minutes: [],
        version: event.version,
      };
    }
    case 'MinutesAttached':
      if (state === null) return state;
      return {
        ...state,
        minutes: [
          ...state.minutes,
          { ...event.data, attachedAt: event.recordedAt, attachedBy: event.actor.sub },
        ],
        version: event.version,
      };
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

/** Decides an activity command. Pure. Only the sector's secretariat records; another sector's activity is 404. */
export function decideActivity(
  command: ActivityCommand,
  state: MaybeActivity,
  ctx: { now: string; actor: Actor },
): ActivityEvent[] {
  if (state !== null && !canSeeSector(ctx.actor, state.sector)) throw new NotFoundError('no such activity');
  if (!hasRole(ctx.actor, 'secretariat')) throw new ForbiddenError('only the secretariat records activities');
  switch (command.type) {
    case 'RecordActivity': {
      if (state !== null) throw new IllegalStateError('this activity was already recorded');
      if (!canSeeSector(ctx.actor, command.data.sector))
        throw new ValidationError('not a sector of yours', [
          { path: 'sector', message: 'not a sector of yours' },
        ]);
      return [
        {
          type: 'ActivityRecorded',
          data: { activityId: command.data.activityId, sector: command.data.sector, ...command.data.input },
        },
      ];
    }
    case 'AttachMinutes': {
      if (state === null) throw new NotFoundError('no such activity');
      if (state.minutes.length >= MAX_MINUTES)
        throw new IllegalStateError(`an activity carries at most ${MAX_MINUTES} minutes files`);
      return [{ type: 'MinutesAttached', data: { n: state.minutes.length + 1, ...command.data } }];
    }
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

/** Whether a caller may read a sector's activities: its secretariat, ministry, NISC and auditors. */
export const canReadActivities = (actor: Actor, sector: SectorId | undefined): boolean =>
  hasRole(actor, 'secretariat', 'ministry', 'nisc', 'auditor') &&
  canSeeSector(actor, sector ?? DEFAULT_SECTOR);

/** An activity as the API shows it. */
export const activityView = (s: ActivityState) => ({
  id: s.id,
  sector: s.sector,
  date: s.date,
  kind: s.kind,
  title: s.title,
  participants: { organizations: [...s.participants.organizations], people: [...s.participants.people] },
  note: s.note,
  minutes: s.minutes.map((m) => ({
    n: m.n,
    filename: m.filename,
    contentType: m.contentType,
    size: m.size,
    sha256: m.sha256,
    attachedAt: m.attachedAt,
  })),
  recordedAt: s.recordedAt,
  version: s.version,
});
export type ActivityView = ReturnType<typeof activityView>;
