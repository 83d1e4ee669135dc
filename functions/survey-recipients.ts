import { DEFAULT_SECTOR } from '../events/sector/catalog.ts';
import { recipientsView } from '../events/survey/views.ts';
import { loadResponses, loadVisibleSurvey, surveyIdFrom } from './aggregates/surveys.ts';
import { httpHandler } from './http/http.ts';
import { reader } from './store/reader.ts';

/**
 * GET /surveys/{id}/recipients: the secretariat's member organisations the survey went to in its
 * sector, whether each was reached and on which channels (the failed attempts the queue retried
 * included), and where its answer stands. One Query of the survey's response heads, as the results.
 */
export const handler = httpHandler({ allow: ['secretariat'] }, async (request) => {
  const survey = await loadVisibleSurvey(reader, surveyIdFrom(request.params), request.actor);
  const sector = request.actor.sector ?? DEFAULT_SECTOR;
  return { status: 200, body: recipientsView(survey, await loadResponses(reader, survey.id), sector) };
});
