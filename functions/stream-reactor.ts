import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { advisories } from './aggregates/advisories.ts';
import { forks } from './aggregates/advisory-forks.ts';
import { exercises } from './aggregates/exercises.ts';
import { incidents } from './aggregates/incidents.ts';
import { surveys } from './aggregates/surveys.ts';
import { reactToExercise } from './reactions/exercise-reactions.ts';
import { reactToFork } from './reactions/fork-reactions.ts';
import { reactInOrder } from './reactions/stream-events.ts';
import {
  advanceAdvisoryWorkflow,
  advanceIncidentWorkflow,
  advanceStageWorkflow,
  advanceSurveyWorkflow,
} from './reactions/workflow-reactions.ts';
import { eventsTable } from './runtime/config.ts';
import { DynamoDbBatchHeadReader } from './store/batch-heads.ts';
import { type Folding, loadAggregate } from './store/command-runner.ts';
import { projectHeads } from './store/head-projection.ts';
import { dynamoClient, reader } from './store/reader.ts';
import { store } from './store/store.ts';
import { StepFunctionsWorkflow } from './workflow/workflow.ts';

const sfn = new SFNClient({});
/** The projection reads a batch's heads together (BatchGetItem) before it folds each stream. */
const headsReader = new DynamoDbBatchHeadReader(dynamoClient, eventsTable);
const relayWorkflow = new StepFunctionsWorkflow(
  sfn,
  getStringFromEnv({
    key: 'RELAY_WORKFLOW_ARN',
    errorMessage: 'RELAY_WORKFLOW_ARN must name the relay state machine',
  }),
);
// Started by the advisory chain's state machine, built like the relay's (see infra/relay-workflow.ts).
const advisoryWorkflow = new StepFunctionsWorkflow(
  sfn,
  getStringFromEnv({ key: 'ADVISORY_WORKFLOW_ARN', defaultValue: '' }),
);
// Releases a cross-sector exercise's injects at their offsets (the same construct, subject exerciseId).
const exerciseWorkflow = new StepFunctionsWorkflow(
  sfn,
  getStringFromEnv({ key: 'EXERCISE_WORKFLOW_ARN', defaultValue: '' }),
);

// Reminds a survey's silent recipients at its `remindAt` (the same construct, subject surveyId).
const surveyWorkflow = new StepFunctionsWorkflow(
  sfn,
  getStringFromEnv({ key: 'SURVEY_WORKFLOW_ARN', defaultValue: '' }),
);

// Reminds a member of an incident's reporting stages and escalates a missed one (subject stagesOf).
const stageWorkflow = new StepFunctionsWorkflow(
  sfn,
  getStringFromEnv({ key: 'STAGE_WORKFLOW_ARN', defaultValue: '' }),
);

/**
 * DynamoDB Streams → the heads and the workflow reactions. First the heads (the read model that
 * lists and views read) are projected from the batch's events; then the relay, stage-alarm, advisory,
 * exercise and survey workflows are started, or a wait whose hop is done is resumed; an advisory to several
 * sectors is forked into one advisory per sector. The notifications of the same
 * events are stream-notifier's, on the same stream. The heads live here rather than in a function
 * of their own: DynamoDB Streams serves at most two readers per shard without throttling them.
 * When a projection fails, only the records before it are reacted to, and the batch resumes from it.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const projected = await projectHeads(dynamoClient, eventsTable, headsReader, event);
  const failedAt = projected.batchItemFailures[0]?.itemIdentifier;
  const before =
    failedAt === undefined
      ? event.Records
      : event.Records.slice(
          0,
          event.Records.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt),
        );
  // The state the projection just folded, instead of reading the head and the events after it again.
  const stateOf = async <S, E extends { type: string; data: unknown }>(
    aggregate: Folding<S, E>,
    id: string,
  ): Promise<S> => {
    const streamId = aggregate.streamId(id);
    return projected.states.has(streamId)
      ? (projected.states.get(streamId) as S)
      : (await loadAggregate(reader, aggregate, id)).state;
  };
  const reacted = await reactInOrder({ Records: before }, async (stored) => {
    if (stored.kind === 'incident') {
      const state = await stateOf(incidents, stored.id);
      if (state !== null) {
        await advanceIncidentWorkflow(stored.event, state, relayWorkflow);
        await advanceStageWorkflow(stored.event, state, stageWorkflow);
      }
    } else if (stored.kind === 'exercise') {
      const state = await stateOf(exercises, stored.id);
      if (state !== null)
        await reactToExercise(stored.event, state, exerciseWorkflow, store, new Date().toISOString());
    } else if (stored.kind === 'advisory-fork') {
      // An advisory to several sectors becomes one advisory per sector (each then starts its own workflow).
      const state = await stateOf(forks, stored.id);
      if (state !== null) await reactToFork(stored.event, state, store, new Date().toISOString());
    } else if (stored.kind === 'advisory') {
      const state = await stateOf(advisories, stored.id);
      if (state !== null) await advanceAdvisoryWorkflow(stored.event, state, advisoryWorkflow);
    } else {
      const state = await stateOf(surveys, stored.id);
      if (state !== null) await advanceSurveyWorkflow(stored.event, state, surveyWorkflow);
    }
  });
  const { batchItemFailures } = reacted.batchItemFailures.length > 0 ? reacted : projected;
  return { batchItemFailures };
};
