import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { advisories } from './aggregates/advisories.ts';
import { type Directory, loadDirectory } from './aggregates/directory.ts';
import { incidents } from './aggregates/incidents.ts';
import { surveys } from './aggregates/surveys.ts';
import { ackKey } from './notify/ack-link.ts';
import { SnsNotifier } from './notify/notifier.ts';
import { notifyAdvisoryEvent } from './reactions/advisory-reactions.ts';
import { notifyIncidentEvent } from './reactions/reactions.ts';
import { reactInOrder } from './reactions/stream-events.ts';
import { notifySurveyEvent } from './reactions/survey-reactions.ts';
import { loadAggregate } from './store/command-runner.ts';
import { reader } from './store/reader.ts';

const notifier = new SnsNotifier(
  new SNSClient({}),
  getStringFromEnv({
    key: 'NOTIFICATIONS_TOPIC_ARN',
    errorMessage: 'NOTIFICATIONS_TOPIC_ARN must name the topic',
  }),
);
const publicUrl = getStringFromEnv({ key: 'PUBLIC_URL', defaultValue: 'http://127.0.0.1:3000' }).replace(
  /\/$/,
  '',
);
/** Where acknowledgement links point: the API (ACK_URL); the console's origin serves only files. */
const ackUrl = process.env.ACK_URL?.replace(/\/$/, '') || undefined;

/**
 * DynamoDB Streams → the notification reactions: publishes every message a committed event calls for
 * to the notifications topic. Its own function beside stream-reactor (the workflow reactions) on the same
 * stream, so that neither carries the other's SDK clients (bench/RESULTS.md, section 2).
 */
export const handler = async (event: DynamoDBStreamEvent) => {
  // The event-sourced directory, read at most once per batch and only when a reaction needs it.
  let directory: Promise<Directory> | undefined;
  const loadDir = () => {
    directory ??= loadDirectory(reader);
    return directory;
  };
  return reactInOrder(event, async (stored) => {
    if (stored.kind === 'incident') {
      const { state } = await loadAggregate(reader, incidents, stored.id);
      if (state !== null)
        await notifyIncidentEvent(stored.event, state, { notifier, publicUrl, directory: await loadDir() });
    } else if (stored.kind === 'advisory') {
      // An exercise's own events send nothing: its injects' incidents and advisories do.
      const { state } = await loadAggregate(reader, advisories, stored.id);
      if (state !== null) {
        await notifyAdvisoryEvent(stored.event, state, {
          notifier,
          publicUrl,
          directory: loadDir,
          ackKey,
          ...(ackUrl ? { ackUrl } : {}),
        });
      }
    } else if (stored.kind === 'survey') {
      // The invitation at issue and the reminder, to the recipient organisations' contacts.
      const { state } = await loadAggregate(reader, surveys, stored.id);
      if (state !== null)
        await notifySurveyEvent(stored.event, state, { notifier, publicUrl, directory: loadDir });
    }
  });
};
