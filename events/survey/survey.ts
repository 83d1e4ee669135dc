import { type Actor, hasRole } from '../actor.ts';
import { type AttemptRecord, attemptIsNew, type DeliveryAttempt, type DeliveryOutcome } from '../delivery.ts';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '../errors.ts';
import type { Tlp } from '../fields.ts';
import type { Channel, Recorded } from '../incident/incident.ts';
import { DEFAULT_SECTOR, type MinistryId, type SectorId } from '../sector/catalog.ts';
import { ministryOfActor } from '../sector/visibility.ts';
import { DONE, type WaitPlan, waitUntil } from '../workflow-plan.ts';
import * as z from '../zod.ts';
import { type Answers, answersSchema, definitionSchema, type SurveyDefinition } from './definition.ts';

/**
 * Surveys and self-assessments (安全基準等の浸透状況調査, J-CLICS): one stream per survey
 * (`survey#<id>`: its versions, issue, reminders, close, released free text) and one per
 * (survey, responding organisation) (`survey-response#<id>#<org>`: every draft save, the
 * submission and each amendment), so thousands of members answering at once never contend
 * for one stream's version. Pure: time and the roster come in through the command.
 */

/** Who owns a survey: NISC (any sectors), a ministry (its sectors) or a secretariat (its sector). */
export type SurveyOwner =
  | { role: 'nisc'; org?: string }
  | { role: 'ministry'; ministry: MinistryId; org?: string }
  | { role: 'secretariat'; sector: SectorId; org?: string };

/** The smallest number of respondents a cell going up the chain may describe (k-anonymity). */
export const DEFAULT_K = 3;

/** What a survey is set up with besides its definition. */
export interface SurveySetup {
  surveyId: string;
  sectors: SectorId[];
  owner: SurveyOwner;
  /** Links the yearly editions of a repeated survey (year over year). */
  series?: string;
  /** The label of the questions and of what is said to the members. */
  tlp: Tlp;
  /** The label of the results and their exports. */
  resultsTlp: Tlp;
  /** The smallest number of respondents a cell going up the chain may describe. */
  k: number;
}

export type SurveyStatus = 'draft' | 'open' | 'closed';

/** What a message about a survey is for: the invitation at issue, or the reminder before the due date. */
export type SurveyPurpose = 'survey' | 'survey_reminder';

export type SurveyEvent =
  | {
      type: 'SurveyCreated';
      data: SurveySetup & { definition: SurveyDefinition };
    }
  | { type: 'SurveyRevised'; data: { surveyVersion: number; definition: SurveyDefinition } }
  | {
      type: 'SurveyIssued';
      data: {
        dueAt: string;
        remindAt: string;
        recipients: Partial<Record<SectorId, string[]>>;
        /** For TLP:RED, the logins of each recipient organisation's named contacts (absent before it was added). */
        named?: Record<string, string[]>;
      };
    }
  | { type: 'SurveyRemindersDue'; data: { orgs: string[] } }
  /** The workflow waits until the reminders are due; the stream reactor answers the token when the survey closes first. */
  | { type: 'SurveyWaitStarted'; data: SurveyWaitData }
  | { type: 'SurveyClosed'; data: Record<string, never> }
  | { type: 'SurveyFreeTextReleased'; data: { questionId: string; sector: SectorId; texts: string[] } };

/** The survey workflow's wait as recorded: which wait, until when, and the token that ends it early. */
export interface SurveyWaitData {
  wait: SurveyWait;
  attempt: number;
  dueAt: string;
  taskToken: string;
}

export interface ReleasedText {
  readonly questionId: string;
  readonly sector: SectorId;
  readonly texts: readonly string[];
  readonly releasedAt: string;
}

export interface SurveyState {
  readonly id: string;
  readonly sectors: readonly SectorId[];
  readonly owner: SurveyOwner;
  readonly series?: string;
  readonly tlp: Tlp;
  readonly resultsTlp: Tlp;
  readonly k: number;
  /** Every version's definition; version n is `versions[n - 1]`. */
  readonly versions: readonly SurveyDefinition[];
  readonly status: SurveyStatus;
  readonly createdAt: string;
  readonly issuedAt?: string;
  readonly dueAt?: string;
  readonly remindAt?: string;
  readonly closedAt?: string;
  readonly recipients: Partial<Record<SectorId, readonly string[]>>;
  /** For TLP:RED, the logins that may see and answer it, per recipient organisation (optional: older heads lack it). */
  readonly named?: Readonly<Record<string, readonly string[]>>;
  readonly remindedAt?: string;
  readonly reminded: readonly string[];
  /** The workflow's current wait (absent on streams written before waits were recorded, and on their heads). */
  readonly wait?: SurveyWaitData & { readonly at: string };
  readonly released: readonly ReleasedText[];
}
export type MaybeSurvey = SurveyState | null;

export const initialSurvey = (): MaybeSurvey => null;

/** The newest version's number and definition. */
export const latestVersion = (s: SurveyState) => ({
  surveyVersion: s.versions.length,
  definition: s.versions[s.versions.length - 1] as SurveyDefinition,
});

/** The sector a recipient organisation answers for, or undefined when it was not invited. */
export const sectorOfRecipient = (s: SurveyState, org: string): SectorId | undefined =>
  (Object.keys(s.recipients) as SectorId[]).find((sector) => s.recipients[sector]?.includes(org));

/**
 * Whether a login of a recipient organisation is in the survey's audience (TLP 2.0, as for
 * advisories): every login of the organisation, except for TLP:RED, which is its named
 * contacts' logins only (fixed at issue).
 */
export const isNamed = (s: SurveyState, org: string, login: string): boolean =>
  s.tlp !== 'RED' || (s.named?.[org] ?? []).includes(login);

/** Every invited organisation. */
export const invitedOrgs = (s: SurveyState): string[] =>
  Object.values(s.recipients).flatMap((o) => [...(o ?? [])]);

export function evolveSurvey(state: MaybeSurvey, event: Recorded<SurveyEvent>): MaybeSurvey {
  if (event.type === 'SurveyCreated') {
    const { surveyId, definition, ...rest } = event.data;
    return {
      id: surveyId,
      ...rest,
      versions: [definition],
      status: 'draft',
      createdAt: event.recordedAt,
      recipients: {},
      reminded: [],
      released: [],
    };
  }
  if (state === null) return state;
  switch (event.type) {
    case 'SurveyRevised':
      return { ...state, versions: [...state.versions, event.data.definition] };
    case 'SurveyIssued':
      return {
        ...state,
        status: 'open',
        issuedAt: event.recordedAt,
        dueAt: event.data.dueAt,
        remindAt: event.data.remindAt,
        recipients: event.data.recipients,
        ...(event.data.named ? { named: event.data.named } : {}),
      };
    case 'SurveyRemindersDue':
      return { ...state, remindedAt: event.recordedAt, reminded: event.data.orgs };
    case 'SurveyWaitStarted':
      return { ...state, wait: { ...event.data, at: event.recordedAt } };
    case 'SurveyClosed':
      return { ...state, status: 'closed', closedAt: event.recordedAt };
    case 'SurveyFreeTextReleased':
      return {
        ...state,
        released: [
          ...state.released.filter(
            (r) => !(r.questionId === event.data.questionId && r.sector === event.data.sector),
          ),
          { ...event.data, releasedAt: event.recordedAt },
        ],
      };
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

export type SurveyCommand =
  | {
      type: 'CreateSurvey';
      data: SurveySetup & { definition: unknown };
    }
  | { type: 'ReviseSurvey'; data: { definition: unknown } }
  | {
      type: 'IssueSurvey';
      data: {
        dueAt: string;
        remindAt?: string;
        roster: Partial<Record<SectorId, string[]>>;
        /** The logins of each member organisation's contacts (a TLP:RED survey is theirs alone). */
        logins?: Readonly<Record<string, readonly string[]>>;
      };
    }
  | { type: 'RecordSurveyReminders'; data: { responded: string[] } }
  | { type: 'StartSurveyWait'; data: SurveyWaitData }
  | { type: 'CloseSurvey'; data: Record<string, never> }
  | { type: 'ReleaseFreeText'; data: { questionId: string; texts: string[] } };

/** The one wait of a survey's workflow: until its reminder time. */
export const surveyWaits = ['remind'] as const;
export type SurveyWait = (typeof surveyWaits)[number];

/**
 * What the survey's workflow does next: wait until `remindAt` while the survey is open and its
 * reminders are not recorded yet (a past time times out at once), else end. The wait records its
 * token (`SurveyWaitStarted`); its timeout records the reminders (`RecordSurveyReminders`), and a
 * close before then answers the token (the stream reactor, {@link surveyWaitToEnd}), so the
 * execution plans again and ends instead of lingering until the reminder time.
 */
export function planSurvey(state: MaybeSurvey, now: string): WaitPlan<'remind'> {
  if (state === null || state.status !== 'open' || state.remindedAt !== undefined || !state.remindAt)
    return DONE;
  return waitUntil('remind', 0, state.remindAt, now);
}

/**
 * The token of the workflow's wait to answer because the survey closed, or null. A wait recorded
 * after the close (the step raced it) is answered too; answering a token that already completed
 * or timed out is harmless.
 */
export const surveyWaitToEnd = (state: SurveyState): string | null =>
  state.status === 'closed' && state.wait ? state.wait.taskToken : null;

export interface SurveyContext {
  readonly now: string;
  readonly actor: Actor;
}

/** Parses a definition, or a 400 naming each field under `definition`. */
export function parseDefinition(raw: unknown): SurveyDefinition {
  const parsed = z.safeParse(definitionSchema(), raw);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    'the survey definition is invalid',
    parsed.error.issues.map((i) => ({ path: ['definition', ...i.path].join('.'), message: i.message })),
  );
}

/** Whether the caller speaks for the survey's owner: the same NISC, ministry or sector secretariat. */
export function isOwner(s: SurveyState, actor: Actor): boolean {
  if (actor.kind !== 'user') return false;
  switch (s.owner.role) {
    case 'nisc':
      return actor.role === 'nisc';
    case 'ministry':
      return actor.role === 'ministry' && ministryOfActor(actor) === s.owner.ministry;
    case 'secretariat':
      return actor.role === 'secretariat' && (actor.sector ?? DEFAULT_SECTOR) === s.owner.sector;
    default: {
      const _never: never = s.owner;
      return _never;
    }
  }
}

/** Decides a command on a survey's own stream. */
export function decideSurvey(command: SurveyCommand, state: MaybeSurvey, ctx: SurveyContext): SurveyEvent[] {
  if (command.type === 'CreateSurvey') {
    if (state !== null) throw new IllegalStateError('the survey exists already');
    if (!hasRole(ctx.actor, 'nisc', 'ministry', 'secretariat'))
      throw new ForbiddenError('NISC, a ministry or a secretariat builds surveys');
    const definition = parseDefinition(command.data.definition);
    const { definition: _raw, ...rest } = command.data;
    return [{ type: 'SurveyCreated', data: { ...rest, definition } }];
  }
  if (state === null) throw new NotFoundError('no such survey');
  const system = ctx.actor.kind === 'system';
  switch (command.type) {
    case 'ReviseSurvey': {
      if (!isOwner(state, ctx.actor)) throw new ForbiddenError('only the survey’s owner edits it');
      if (state.status === 'closed') throw new IllegalStateError('the survey is closed');
      const definition = parseDefinition(command.data.definition);
      if (JSON.stringify(definition) === JSON.stringify(latestVersion(state).definition)) return [];
      return [{ type: 'SurveyRevised', data: { surveyVersion: state.versions.length + 1, definition } }];
    }
    case 'IssueSurvey': {
      if (!isOwner(state, ctx.actor)) throw new ForbiddenError('only the survey’s owner issues it');
      if (state.status !== 'draft') throw new IllegalStateError(`the survey is ${state.status}`);
      const now = Date.parse(ctx.now);
      const due = Date.parse(command.data.dueAt);
      const fields = [];
      if (!(due > now)) fields.push({ path: 'dueAt', message: 'must be in the future' });
      const remindAt = command.data.remindAt ?? new Date(now + (due - now) / 2).toISOString();
      const remind = Date.parse(remindAt);
      if (!(remind > now && remind < due))
        fields.push({ path: 'remindAt', message: 'must be after now and before the due date' });
      if (fields.length > 0) throw new ValidationError('the survey cannot be issued so', fields);
      const recipients: Partial<Record<SectorId, string[]>> = {};
      for (const sector of state.sectors)
        recipients[sector] = [...(command.data.roster[sector] ?? [])].sort();
      if (Object.values(recipients).every((o) => o.length === 0))
        throw new IllegalStateError('the survey’s sectors have no member organisations in the directory');
      const logins = command.data.logins ?? {};
      const named =
        state.tlp === 'RED'
          ? Object.fromEntries(
              Object.values(recipients)
                .flat()
                .map((org) => [org, [...(logins[org] ?? [])].sort()]),
            )
          : undefined;
      return [
        {
          type: 'SurveyIssued',
          data: {
            dueAt: new Date(due).toISOString(),
            remindAt: new Date(remind).toISOString(),
            recipients,
            ...(named ? { named } : {}),
          },
        },
      ];
    }
    case 'RecordSurveyReminders': {
      if (!system) throw new ForbiddenError('only the workflow records reminders');
      if (state.remindedAt !== undefined || state.status !== 'open') return [];
      const responded = new Set(command.data.responded);
      return [
        { type: 'SurveyRemindersDue', data: { orgs: invitedOrgs(state).filter((o) => !responded.has(o)) } },
      ];
    }
    case 'StartSurveyWait':
      if (!system) throw new ForbiddenError('only the workflow waits');
      // A retried invocation carries the same token: recording it twice would add nothing. A wait
      // recorded on a closed survey is kept, so the reactor answers it.
      if (state.wait?.taskToken === command.data.taskToken) return [];
      return [{ type: 'SurveyWaitStarted', data: command.data }];
    case 'CloseSurvey':
      if (!isOwner(state, ctx.actor)) throw new ForbiddenError('only the survey’s owner closes it');
      if (state.status === 'closed') return [];
      if (state.status === 'draft') throw new IllegalStateError('the survey was never issued');
      return [{ type: 'SurveyClosed', data: {} }];
    case 'ReleaseFreeText': {
      if (ctx.actor.kind !== 'user' || ctx.actor.role !== 'secretariat')
        throw new ForbiddenError('only the sector’s secretariat releases free text');
      const sector = ctx.actor.sector ?? DEFAULT_SECTOR;
      if (!state.sectors.includes(sector)) throw new NotFoundError('no such survey');
      const question = state.versions
        .flatMap((d) => d.sections.flatMap((s) => s.questions))
        .find((q) => q.id === command.data.questionId);
      if (question?.kind !== 'text')
        throw new NotFoundError('no free-text question of that id in this survey');
      if (state.status === 'draft') throw new IllegalStateError('the survey was never issued');
      return [
        {
          type: 'SurveyFreeTextReleased',
          data: { questionId: question.id, sector, texts: command.data.texts },
        },
      ];
    }
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

// ---- Responses --------------------------------------------------------------------------------

export interface SubmittedAnswers {
  readonly surveyVersion: number;
  readonly answers: Answers;
  readonly at: string;
}

export type ResponseEvent =
  | {
      type: 'ResponseDraftSaved';
      data: { surveyId: string; org: string; sector: SectorId; surveyVersion: number; answers: Answers };
    }
  | {
      type: 'ResponseSubmitted';
      data: {
        surveyId: string;
        org: string;
        sector: SectorId;
        surveyVersion: number;
        answers: Answers;
        late: boolean;
      };
    }
  | { type: 'ResponseAmended'; data: { surveyVersion: number; answers: Answers; late: boolean } }
  | { type: 'SurveyDelivered'; data: SurveyDeliveryData & { messageId: string } }
  | { type: 'SurveyDeliveryFailed'; data: SurveyDeliveryData & { reason: string } }
  | {
      /**
       * A failed attempt at one survey message that the queue retries (attempts 1 to 4 of 5; the last
       * one's failure is a `SurveyDeliveryFailed`): the failure's class, never the answer's body or the
       * address (events/delivery.ts).
       */
      type: 'SurveyDeliveryAttemptFailed';
      data: SurveyAttemptData;
    };

/** A retried attempt at a survey message, as recorded on the organisation's response stream. */
export type SurveyAttemptData = AttemptRecord<SurveyPurpose> & {
  surveyId: string;
  org: string;
  sector: SectorId;
  contactId: string;
};

/** Who a survey message went to, on which channel, and why: recorded on the organisation's response stream. */
export interface SurveyDeliveryData {
  surveyId: string;
  org: string;
  sector: SectorId;
  key: string;
  purpose: SurveyPurpose;
  contactId: string;
  channel: Channel;
  to: string;
}

/** One message about the survey to one of the organisation's contacts, as recorded. */
export interface SurveyDelivery {
  readonly key: string;
  readonly at: string;
  readonly purpose: SurveyPurpose;
  readonly contactId: string;
  readonly channel: Channel;
  readonly to: string;
  readonly ok: boolean;
}

export interface ResponseState {
  readonly surveyId: string;
  readonly org: string;
  readonly sector: SectorId;
  /** The answers being worked on (every save), and the version they were saved against. */
  readonly draft: { surveyVersion: number; answers: Answers; savedAt: string } | null;
  readonly saves: number;
  /** What was submitted (the latest amendment), or null before. */
  readonly submitted: SubmittedAnswers | null;
  readonly firstSubmittedAt?: string;
  /** The first submission came after the due date. */
  readonly late: boolean;
  readonly amendments: number;
  /** The survey's messages to the organisation's contacts (optional: heads written before it lack it). */
  readonly deliveries?: readonly SurveyDelivery[];
  /** Failed attempts the queue retried, each once (optional: streams before attempts were recorded lack it). */
  readonly attempts?: readonly (DeliveryAttempt<SurveyPurpose> & { contactId: string })[];
}
export type MaybeResponse = ResponseState | null;

export const initialResponse = (): MaybeResponse => null;

export function evolveResponse(state: MaybeResponse, event: Recorded<ResponseEvent>): MaybeResponse {
  const base = (d: { surveyId: string; org: string; sector: SectorId }): ResponseState =>
    state ?? { ...d, draft: null, saves: 0, submitted: null, late: false, amendments: 0 };
  switch (event.type) {
    case 'ResponseDraftSaved': {
      const s = base(event.data);
      const { surveyVersion, answers } = event.data;
      return { ...s, draft: { surveyVersion, answers, savedAt: event.recordedAt }, saves: s.saves + 1 };
    }
    case 'ResponseSubmitted': {
      const s = base(event.data);
      const { surveyVersion, answers, late } = event.data;
      return {
        ...s,
        draft: { surveyVersion, answers, savedAt: event.recordedAt },
        submitted: { surveyVersion, answers, at: event.recordedAt },
        firstSubmittedAt: event.recordedAt,
        late,
      };
    }
    case 'ResponseAmended': {
      if (state === null) return state;
      const { surveyVersion, answers } = event.data;
      return {
        ...state,
        draft: { surveyVersion, answers, savedAt: event.recordedAt },
        submitted: { surveyVersion, answers, at: event.recordedAt },
        amendments: state.amendments + 1,
      };
    }
    case 'SurveyDelivered':
    case 'SurveyDeliveryFailed': {
      const s = base(event.data);
      const { key, purpose, contactId, channel, to } = event.data;
      const ok = event.type === 'SurveyDelivered';
      return {
        ...s,
        deliveries: [
          ...(s.deliveries ?? []),
          { key, at: event.recordedAt, purpose, contactId, channel, to, ok },
        ],
      };
    }
    case 'SurveyDeliveryAttemptFailed': {
      const s = base(event.data);
      const { surveyId: _s, org: _o, sector: _x, ...attempt } = event.data;
      return { ...s, attempts: [...(s.attempts ?? []), { ...attempt, at: event.recordedAt }] };
    }
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

export type ResponseCommand =
  | { type: 'SaveDraft'; data: { answers: unknown } }
  | { type: 'SubmitResponse'; data: { answers?: unknown } }
  | {
      type: 'RecordSurveyDelivery';
      data: Omit<SurveyDeliveryData, 'surveyId' | 'sector'> & { outcome: DeliveryOutcome };
    }
  | { type: 'RecordSurveyDeliveryAttempt'; data: Omit<SurveyAttemptData, 'surveyId' | 'sector'> };

export interface ResponseContext extends SurveyContext {
  /** The survey as it stands (read beside the command): its open window and its newest version. */
  readonly survey: SurveyState;
}

function parseAnswers(def: SurveyDefinition, raw: unknown, final: boolean): Answers {
  const parsed = z.safeParse(answersSchema(def, { final }), raw);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    final ? 'the answers are incomplete or invalid' : 'some answers are invalid',
    parsed.error.issues.map((i) => ({ path: ['answers', ...i.path].join('.'), message: i.message })),
  );
}

/**
 * Decides a member's save or submission on its organisation's response stream. Answers are
 * checked against the newest version's schema: a draft per question, a submission whole.
 */
export function decideResponse(
  command: ResponseCommand,
  state: MaybeResponse,
  ctx: ResponseContext,
): ResponseEvent[] {
  const { actor, survey } = ctx;
  if (command.type === 'RecordSurveyDelivery') {
    if (actor.kind !== 'system') throw new ForbiddenError('only the notifier records deliveries');
    const { outcome, ...d } = command.data;
    const sector = sectorOfRecipient(survey, d.org);
    if (sector === undefined) throw new NotFoundError('the organisation was not invited');
    // A redelivered queue message records nothing twice.
    if (state?.deliveries?.some((x) => x.key === d.key)) return [];
    const data = { surveyId: survey.id, sector, ...d };
    return outcome.ok
      ? [{ type: 'SurveyDelivered', data: { ...data, messageId: outcome.messageId } }]
      : [{ type: 'SurveyDeliveryFailed', data: { ...data, reason: outcome.reason } }];
  }
  if (command.type === 'RecordSurveyDeliveryAttempt') {
    if (actor.kind !== 'system') throw new ForbiddenError('only the notifier records deliveries');
    const d = command.data;
    const sector = sectorOfRecipient(survey, d.org);
    if (sector === undefined) throw new NotFoundError('the organisation was not invited');
    // Once per attempt, and none once the message's outcome is recorded (a late report).
    if (state !== null && !attemptIsNew({ deliveries: state.deliveries ?? [], attempts: state.attempts }, d))
      return [];
    const { status, ...rest } = d;
    return [
      {
        type: 'SurveyDeliveryAttemptFailed',
        data: { surveyId: survey.id, sector, ...rest, ...(status === undefined ? {} : { status }) },
      },
    ];
  }
  if (actor.kind !== 'user' || actor.role !== 'member' || !actor.org)
    throw new ForbiddenError('a member organisation answers surveys');
  const sector = sectorOfRecipient(survey, actor.org);
  if (survey.status === 'draft' || sector === undefined || !isNamed(survey, actor.org, actor.sub))
    throw new NotFoundError('no such survey');
  if (survey.status === 'closed') throw new IllegalStateError('the survey is closed');
  const { surveyVersion, definition } = latestVersion(survey);
  const ids = { surveyId: survey.id, org: actor.org, sector };
  switch (command.type) {
    case 'SaveDraft': {
      const answers = parseAnswers(definition, command.data.answers, false);
      return [{ type: 'ResponseDraftSaved', data: { ...ids, surveyVersion, answers } }];
    }
    case 'SubmitResponse': {
      const raw = command.data.answers ?? state?.draft?.answers;
      if (raw === undefined)
        throw new ValidationError('nothing to submit', [
          { path: 'answers', message: 'save a draft or send the answers' },
        ]);
      const answers = parseAnswers(definition, raw, true);
      const late = survey.dueAt !== undefined && Date.parse(ctx.now) > Date.parse(survey.dueAt);
      if (state?.submitted) return [{ type: 'ResponseAmended', data: { surveyVersion, answers, late } }];
      return [{ type: 'ResponseSubmitted', data: { ...ids, surveyVersion, answers, late } }];
    }
    default: {
      const _never: never = command;
      return _never;
    }
  }
}
