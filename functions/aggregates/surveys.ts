import type { Actor } from '../../events/actor.ts';
import { NotFoundError, ValidationError } from '../../events/errors.ts';
import type { SectorId } from '../../events/sector/catalog.ts';
import {
  decideResponse,
  decideSurvey,
  evolveResponse,
  evolveSurvey,
  initialResponse,
  initialSurvey,
  type MaybeResponse,
  type MaybeSurvey,
  type ResponseCommand,
  type ResponseContext,
  type ResponseEvent,
  type ResponseState,
  type SurveyCommand,
  type SurveyContext,
  type SurveyEvent,
  type SurveyState,
} from '../../events/survey/survey.ts';
import { canSeeSurvey } from '../../events/survey/views.ts';
import { UUID } from '../http/uuid.ts';
import { type Aggregate, loadAggregate } from '../store/command-runner.ts';
import { allHeads, type EventReader, type StreamHead } from '../store/event-store.ts';
import { upcastV1 } from '../store/upcast.ts';

/** The byType partition of every survey (surveys are few: dozens a year over every sector). */
export const SURVEY_LIST = 'survey';

/** A survey's own stream: its versions, issue, reminders, close and released free text. */
export const surveys: Aggregate<MaybeSurvey, SurveyEvent, SurveyCommand, SurveyContext> = {
  streamType: 'survey',
  stateSchema: 1,
  eventSchema: 1,
  streamId: (id) => `survey#${id}`,
  initialState: initialSurvey,
  evolve: evolveSurvey,
  decide: decideSurvey,
  project: (state) => {
    if (state === null) throw new Error('cannot index a survey that does not exist');
    return { listPk: SURVEY_LIST, listSk: `${state.createdAt}#${state.id}` };
  },
  upcast: (stored) => upcastV1<SurveyEvent>(stored),
};

/** The index key under which a survey's response heads are listed (byType, sorted by organisation). */
export const responseListKey = (surveyId: string) => `survey-responses#${surveyId}`;

/**
 * One organisation's response to one survey: every draft save, the submission, each amendment.
 * A stream of its own, so 2,000 members answering at once append in parallel.
 */
export const responses: Aggregate<MaybeResponse, ResponseEvent, ResponseCommand, ResponseContext> = {
  streamType: 'survey-response',
  stateSchema: 1,
  eventSchema: 1,
  streamId: (id) => `survey-response#${id}`,
  initialState: initialResponse,
  evolve: evolveResponse,
  decide: decideResponse,
  project: (state) => {
    if (state === null) throw new Error('cannot index a response that does not exist');
    return { listPk: responseListKey(state.surveyId), listSk: state.org };
  },
  upcast: (stored) => upcastV1<ResponseEvent>(stored),
};

/** The id of a response stream (without its prefix). */
export const responseId = (surveyId: string, org: string) => `${surveyId}#${org}`;

/** The `{id}` of a survey route; anything but a UUID is no survey (404). */
export function surveyIdFrom(params: Readonly<Record<string, string | undefined>>): string {
  const id = params.id ?? '';
  if (!UUID.test(id)) throw new NotFoundError('no such survey');
  return id;
}

/** A survey the caller may see, or 404 (another sector's survey does not exist for it). */
export async function loadVisibleSurvey(reader: EventReader, id: string, actor: Actor): Promise<SurveyState> {
  const { state } = await loadAggregate(reader, surveys, id);
  if (state === null || !canSeeSurvey(state, actor)) throw new NotFoundError('no such survey');
  return state;
}

/** Every response head of a survey: one paged Query of the byType index. */
export async function loadResponses(
  reader: Pick<EventReader, 'listHeads'>,
  surveyId: string,
): Promise<ResponseState[]> {
  const out: ResponseState[] = [];
  for await (const { state } of allHeads<MaybeResponse>(reader, {
    index: 'byType',
    key: responseListKey(surveyId),
  }))
    if (state) out.push(state);
  return out;
}

/**
 * The response heads of the named organisations of a survey, by stream id (100 per BatchGetItem):
 * one sector's recipients without listing every sector's responses. An organisation whose stream
 * has no head yet is left out, as in {@link loadResponses}; sorted by organisation as that lists them.
 */
export async function loadResponsesOf(
  heads: { loadHeads<T>(streamIds: readonly string[]): Promise<Map<string, StreamHead<T>>> },
  surveyId: string,
  orgs: readonly string[],
): Promise<ResponseState[]> {
  const found = await heads.loadHeads<MaybeResponse>(
    orgs.map((org) => responses.streamId(responseId(surveyId, org))),
  );
  // In the organisations' order, as the byType index lists them (sorted by organisation).
  return [...found.values()]
    .flatMap(({ state }) => (state ? [state] : []))
    .sort((a, b) => (a.org < b.org ? -1 : a.org > b.org ? 1 : 0));
}

/**
 * The response heads of a survey's organisations in `sectors` (those whose results the caller reads):
 * every head by one paged Query when they are all of the survey's sectors, else only those sectors'
 * recipients' heads by stream id. Only an invited organisation has a response stream
 * (decideResponse), so both read the same responses for those sectors.
 */
export async function loadResponsesIn(
  store: Pick<EventReader, 'listHeads'> & Parameters<typeof loadResponsesOf>[0],
  survey: SurveyState,
  sectors: readonly SectorId[],
): Promise<ResponseState[]> {
  if (survey.sectors.every((x) => sectors.includes(x))) return loadResponses(store, survey.id);
  return loadResponsesOf(
    store,
    survey.id,
    sectors.flatMap((x) => survey.recipients[x] ?? []),
  );
}

/** Every survey head (one partition, read page by page). */
export async function loadAllSurveys(reader: Pick<EventReader, 'listHeads'>): Promise<SurveyState[]> {
  const out: SurveyState[] = [];
  for await (const { state } of allHeads<MaybeSurvey>(reader, { index: 'byType', key: SURVEY_LIST }))
    if (state) out.push(state);
  return out;
}

/** The calling member's organisation, or a 400 when its token names none. */
export function memberOrg(actor: Actor): string {
  if (actor.kind === 'user' && actor.org) return actor.org;
  throw new ValidationError('the token names no organisation', [{ path: 'custom:org', message: 'required' }]);
}
