import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { advisories } from './commons/advisories.ts';
import { loadAggregate } from './commons/command-runner.ts';
import { incidents } from './commons/incidents.ts';
import { reader } from './commons/reader.ts';
import { reactInOrder } from './commons/stream-events.ts';
import { StepFunctionsWorkflow } from './commons/workflow.ts';
import { advanceAdvisoryWorkflow, advanceIncidentWorkflow } from './commons/workflow-reactions.ts';

const sfn = new SFNClient({});
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

/**
 * DynamoDB Streams → the workflow reactions: starts the relay and advisory workflows and resumes a
 * wait whose hop is done. The notifications of the same events are stream-notifier's, on the same stream.
 */
export const handler = async (event: DynamoDBStreamEvent) =>
  reactInOrder(event, async (stored) => {
    if (stored.kind === 'incident') {
      const { state } = await loadAggregate(reader, incidents, stored.id);
      if (state !== null) await advanceIncidentWorkflow(stored.event, state, relayWorkflow);
    } else {
      const { state } = await loadAggregate(reader, advisories, stored.id);
      if (state !== null) await advanceAdvisoryWorkflow(stored.event, state, advisoryWorkflow);
    }
  });
