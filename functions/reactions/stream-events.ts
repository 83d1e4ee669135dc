import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { Actor } from '../../events/actor.ts';
import type { AdvisoryEvent } from '../../events/advisory/advisory.ts';
import type { ForkEvent } from '../../events/advisory/fork.ts';
import type { ExerciseEvent } from '../../events/exercise/exercise.ts';
import { groupBy } from '../../events/group-by.ts';
import type { IncidentEvent, Recorded } from '../../events/incident/incident.ts';
import type { SurveyEvent } from '../../events/survey/survey.ts';
import { logger } from '../runtime/logger.ts';
import { eventImageOf } from '../store/event-item.ts';

/** A committed event of a stream the reactions follow, as a stream record carries it. */
export type StreamEvent =
  | { readonly kind: 'incident'; readonly id: string; readonly event: Recorded<IncidentEvent> }
  | { readonly kind: 'advisory'; readonly id: string; readonly event: Recorded<AdvisoryEvent> }
  | { readonly kind: 'exercise'; readonly id: string; readonly event: Recorded<ExerciseEvent> }
  | { readonly kind: 'survey'; readonly id: string; readonly event: Recorded<SurveyEvent> }
  | { readonly kind: 'advisory-fork'; readonly id: string; readonly event: Recorded<ForkEvent> };

/** The stored event in a stream record, or null for heads, idempotency records and other streams. */
export function streamEventOf(record: DynamoDBRecord): StreamEvent | null {
  const image = eventImageOf(record);
  if (image === null) return null;
  const { pk, sk, type, data, recordedAt, actor } = image;
  if (!pk?.S || !sk?.N || !type?.S || !data?.S || !recordedAt?.S || !actor?.S) return null;
  const event = {
    type: type.S,
    data: JSON.parse(data.S),
    version: Number(sk.N),
    recordedAt: recordedAt.S,
    actor: JSON.parse(actor.S) as Actor,
  };
  if (pk.S.startsWith('incident#'))
    return { kind: 'incident', id: pk.S.slice('incident#'.length), event: event as Recorded<IncidentEvent> };
  if (pk.S.startsWith('advisory#'))
    return { kind: 'advisory', id: pk.S.slice('advisory#'.length), event: event as Recorded<AdvisoryEvent> };
  if (pk.S.startsWith('advisory-fork#'))
    return {
      kind: 'advisory-fork',
      id: pk.S.slice('advisory-fork#'.length),
      event: event as Recorded<ForkEvent>,
    };
  if (pk.S.startsWith('exercise#'))
    return { kind: 'exercise', id: pk.S.slice('exercise#'.length), event: event as Recorded<ExerciseEvent> };
  if (pk.S.startsWith('survey#'))
    return { kind: 'survey', id: pk.S.slice('survey#'.length), event: event as Recorded<SurveyEvent> };
  return null;
}

/** Streams of a batch reacted to at once (each stream's events in order): see {@link reactInOrder}. */
export const STREAMS_AT_ONCE = 16;

/**
 * DynamoDB Streams → reactions. Each stream's records are handled in order, the batch's streams side
 * by side (at most {@link STREAMS_AT_ONCE} at a time): the event source keeps order per item, not across
 * them (Lambda's neither: a table's items live on several shards), and one stream's reactions waiting on
 * a workflow or a topic no longer hold up the others'. A stream stops at its first failure; the earliest
 * failed record of the batch is reported, so the event source retries from it (at least once, in
 * order: what other streams had done after it is done again, and every reaction is idempotent).
 */
export async function reactInOrder(
  batch: DynamoDBStreamEvent,
  react: (stored: StreamEvent) => Promise<void>,
): Promise<DynamoDBBatchResponse> {
  const records = batch.Records.flatMap((record, index) => {
    const stored = streamEventOf(record);
    return stored === null ? [] : [{ index, stored }];
  });
  const queue = [...groupBy(records, ({ stored }) => `${stored.kind}#${stored.id}`).values()];
  let failedAt = Number.POSITIVE_INFINITY;
  const worker = async () => {
    for (let events = queue.shift(); events !== undefined; events = queue.shift()) {
      for (const { index, stored } of events) {
        // Nothing after the batch's earliest failure counts: the event source hands it over again.
        if (index > failedAt) break;
        try {
          await react(stored);
        } catch (error) {
          logger.error('reaction failed; the batch resumes from this record', {
            streamId: `${stored.kind}#${stored.id}`,
            version: stored.event.version,
            error: error as Error,
          });
          failedAt = Math.min(failedAt, index);
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(STREAMS_AT_ONCE, queue.length) }, worker));
  const failed = batch.Records[failedAt];
  return { batchItemFailures: failed ? [{ itemIdentifier: failed.dynamodb?.SequenceNumber ?? '' }] : [] };
}
