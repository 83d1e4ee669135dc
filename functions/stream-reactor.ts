import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { Actor } from '../events/actor.ts';
import type { AdvisoryEvent } from '../events/advisory/advisory.ts';
import type { IncidentEvent, Recorded } from '../events/incident/incident.ts';
import { ackKey } from './commons/ack-link.ts';
import { advisories } from './commons/advisories.ts';
import { reactToAdvisoryEvent } from './commons/advisory-reactions.ts';
import { loadAggregate } from './commons/command-runner.ts';
import { type Directory, loadDirectory } from './commons/directory.ts';
import { incidents } from './commons/incidents.ts';
import { logger } from './commons/logger.ts';
import { SnsNotifier } from './commons/notifier.ts';
import { type ReactionDeps, reactToIncidentEvent } from './commons/reactions.ts';
import { reader } from './commons/reader.ts';
import { StepFunctionsWorkflow } from './commons/workflow.ts';

const deps: Omit<ReactionDeps, 'directory'> = {
  workflow: new StepFunctionsWorkflow(
    new SFNClient({}),
    getStringFromEnv({
      key: 'RELAY_WORKFLOW_ARN',
      errorMessage: 'RELAY_WORKFLOW_ARN must name the relay state machine',
    }),
  ),
  notifier: new SnsNotifier(
    new SNSClient({}),
    getStringFromEnv({
      key: 'NOTIFICATIONS_TOPIC_ARN',
      errorMessage: 'NOTIFICATIONS_TOPIC_ARN must name the topic',
    }),
  ),
  publicUrl: getStringFromEnv({ key: 'PUBLIC_URL', defaultValue: 'http://127.0.0.1:3000' }).replace(
    /\/$/,
    '',
  ),
};
/** Where acknowledgement links point: the API (ACK_URL); the console's origin serves only files. */
const ackUrl = process.env.ACK_URL?.replace(/\/$/, '') || undefined;

// Started by the advisory chain's state machine, built like the relay's (see infra/relay-workflow.ts).
const advisoryWorkflow = new StepFunctionsWorkflow(
  new SFNClient({}),
  getStringFromEnv({ key: 'ADVISORY_WORKFLOW_ARN', defaultValue: '' }),
);

/** The stored event in a stream record, or null for heads and idempotency records. */
function eventOf(record: DynamoDBRecord): (Recorded<IncidentEvent> & { streamId: string }) | null {
  const image = record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
  if (record.eventName === 'REMOVE' || image?.kind?.S !== 'event') return null;
  const { pk, sk, type, data, recordedAt, actor } = image;
  if (!pk?.S || !sk?.N || !type?.S || !data?.S || !recordedAt?.S || !actor?.S) return null;
  return {
    streamId: pk.S,
    type: type.S,
    data: JSON.parse(data.S),
    version: Number(sk.N),
    recordedAt: recordedAt.S,
    actor: JSON.parse(actor.S) as Actor,
  } as Recorded<IncidentEvent> & { streamId: string };
}

/**
 * DynamoDB Streams → reactions. Records are handled in order; the first failure stops the
 * batch and is reported so the event source retries from it (at least once, in order).
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  // The event-sourced directory, read at most once per batch and only when a reaction needs it.
  let directory: Promise<Directory> | undefined;
  const loadDir = () => {
    directory ??= loadDirectory(reader);
    return directory;
  };
  for (const record of event.Records) {
    const stored = eventOf(record);
    if (stored === null) continue;
    const isIncident = stored.streamId.startsWith('incident#');
    if (!isIncident && !stored.streamId.startsWith('advisory#')) continue;
    try {
      if (isIncident) {
        const id = stored.streamId.slice('incident#'.length);
        const { state } = await loadAggregate(reader, incidents, id);
        if (state !== null)
          await reactToIncidentEvent(stored, state, { ...deps, directory: await loadDir() });
      } else {
        const { state } = await loadAggregate(reader, advisories, stored.streamId.slice('advisory#'.length));
        if (state !== null) {
          await reactToAdvisoryEvent(stored as unknown as Recorded<AdvisoryEvent>, state, {
            ...deps,
            workflow: advisoryWorkflow,
            directory: loadDir,
            ackKey,
            ...(ackUrl ? { ackUrl } : {}),
          });
        }
      }
    } catch (error) {
      logger.error('reaction failed; the batch resumes from this record', {
        streamId: stored.streamId,
        version: stored.version,
        error: error as Error,
      });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
};
