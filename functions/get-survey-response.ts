import { responseView } from '../events/survey/views.ts';
import { loadVisibleSurvey, memberOrg, responseId, responses, surveyIdFrom } from './aggregates/surveys.ts';
import { httpHandler } from './http/http.ts';
import { loadAggregate } from './store/command-runner.ts';
import { reader } from './store/reader.ts';

/** GET /surveys/{id}/response: the calling member's organisation's draft or submitted answers. */
export const handler = httpHandler({ allow: ['member'] }, async (request) => {
  const id = surveyIdFrom(request.params);
  const survey = await loadVisibleSurvey(reader, id, request.actor);
  const org = memberOrg(request.actor);
  const { state } = await loadAggregate(reader, responses, responseId(id, org));
  return { status: 200, body: responseView(survey, state, org) };
});
