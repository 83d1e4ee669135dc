import { DEFAULT_SECTOR } from '../events/sector/catalog.ts';
import { recipientsView } from '../events/survey/views.ts';
import { loadResponsesIn, loadVisibleSurvey, surveyIdFrom } from './aggregates/surveys.ts';
import { httpHandler } from './http/http.ts';
import { eventsTable } from './runtime/config.ts';
import { DynamoDbBatchHeadReader } from './store/batch-heads.ts';
import { dynamoClient, reader } from './store/reader.ts';

const heads = new DynamoDbBatchHeadReader(dynamoClient, eventsTable);

/**
 * GET /surveys/{id}/recipients: the secretariat's member organisations the survey went to in its
 * sector, whether each was reached and on which channels (the failed attempts the queue retried
 * included), and where its answer stands. Only that sector's response heads are read (loadResponsesIn:
 * by stream id, 100 per BatchGetItem, where the survey spans other sectors too), not every sector's.
 */
export const handler = httpHandler({ allow: ['secretariat'] }, async (request) => {
  const survey = await loadVisibleSurvey(reader, surveyIdFrom(request.params), request.actor);
  const sector = request.actor.sector ?? DEFAULT_SECTOR;
  const responses = await loadResponsesIn(heads, survey, [sector]);
  return { status: 200, body: recipientsView(survey, responses, sector) };
});
