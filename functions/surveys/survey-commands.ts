import type {
  ResponseCommand,
  ResponseState,
  SurveyCommand,
  SurveyState,
} from '../../events/survey/survey.ts';
import { responseView } from '../../events/survey/views.ts';
import {
  loadVisibleSurvey,
  memberOrg,
  responseId,
  responses,
  surveyIdFrom,
  surveys,
} from '../aggregates/surveys.ts';
import type { HttpRequest, HttpResponse } from '../http/http.ts';
import { httpCommand } from '../http/http-command.ts';
import { reader } from '../store/reader.ts';

/** The short answer to a command on a survey. */
export const surveyAnswer = (state: SurveyState, version: number) => ({
  id: state.id,
  status: state.status,
  surveyVersion: state.versions.length,
  version,
});

/**
 * Runs a person's command on a survey's stream over HTTP, after checking the caller may see it
 * (another sector's survey is 404 before anything is decided); idempotent per Idempotency-Key.
 */
export async function surveyCommand(
  request: HttpRequest<unknown>,
  id: string,
  command: SurveyCommand,
  status = 200,
): Promise<HttpResponse> {
  if (command.type !== 'CreateSurvey') await loadVisibleSurvey(reader, id, request.actor);
  return httpCommand(
    request,
    surveys,
    id,
    command,
    { now: new Date().toISOString(), actor: request.actor },
    {
      status,
      body: surveyAnswer,
      // create-survey mints the id: the stream is new.
      ...(command.type === 'CreateSurvey'
        ? { location: (s: SurveyState) => `/surveys/${s.id}`, newStream: true }
        : {}),
    },
  );
}

/** Runs the calling member's save or submission on its organisation's response stream. */
export async function responseCommand(
  request: HttpRequest<unknown>,
  command: ResponseCommand,
): Promise<HttpResponse> {
  const id = surveyIdFrom(request.params);
  const survey = await loadVisibleSurvey(reader, id, request.actor);
  const org = memberOrg(request.actor);
  return httpCommand(
    request,
    responses,
    responseId(id, org),
    command,
    { now: new Date().toISOString(), actor: request.actor, survey },
    { status: 200, body: (state: ResponseState) => responseView(survey, state, org) },
  );
}
