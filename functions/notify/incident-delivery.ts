import type { DecisionContext, IncidentCommand } from '../../events/incident/decide.ts';
import type { IncidentEvent, MaybeIncident, NotificationPurpose } from '../../events/incident/incident.ts';
import { incidents } from '../aggregates/incidents.ts';
import {
  type BatchFailure,
  type BatchTarget,
  deliverBatch,
  policyContexts,
  recordedOn,
} from './delivery-batch.ts';
import type { OutboundNotification } from './notifier.ts';
import type { Outcome } from './senders.ts';

/** True for a message of an incident's relay (recorded on the incident's stream). */
export const isIncidentMessage = (m: Pick<OutboundNotification, 'streamId'>) =>
  m.streamId.startsWith('incident#');

const about = (message: OutboundNotification) => ({
  key: message.key,
  purpose: message.purpose as NotificationPurpose,
  channel: message.channel,
});

/**
 * An incident's stream, where its relay's messages are recorded (`NotificationDelivered` or `NotificationFailed`, and each
 * failed attempt the queue retries). A message of an incident the log does not hold is not sent.
 */
const incidentTarget: BatchTarget<MaybeIncident, IncidentEvent, IncidentCommand, DecisionContext> = {
  aggregate: incidents,
  streamOf: (message) => message.streamId.slice('incident#'.length),
  delivered: (state, key) => recordedOn(state, 'incident', key),
  outcome: (message, outcome) => ({
    type: 'RecordNotification',
    data: { ...about(message), to: message.to, outcome },
  }),
  attempt: (message, retried) => ({
    type: 'RecordNotificationAttempt',
    data: { ...about(message), ...retried },
  }),
  contexts: policyContexts,
};

/**
 * Delivers a queue batch of incident messages and records them (deliverBatch): an incident's several
 * messages of one batch (its contacts, its channels) in one append, the incidents' appends grouped.
 */
export const deliverIncidentBatch = (
  messages: readonly OutboundNotification[],
  send: (m: OutboundNotification) => Promise<Outcome>,
): Promise<BatchFailure[]> => deliverBatch(incidentTarget, messages, send);
