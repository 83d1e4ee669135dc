import { NotFoundError } from '../../events/errors.ts';
import type {
  MaybeResponse,
  ResponseCommand,
  ResponseContext,
  ResponseEvent,
  SurveyPurpose,
  SurveyState,
} from '../../events/survey/survey.ts';
import { responses, surveys } from '../aggregates/surveys.ts';
import { loadAggregate } from '../store/command-runner.ts';
import { store } from '../store/store.ts';
import { type BatchFailure, type BatchTarget, deliverBatch, NOTIFIER } from './delivery-batch.ts';
import type { OutboundNotification } from './notifier.ts';
import type { Outcome } from './senders.ts';

const PREFIX = 'survey-response#';

/** True for a message about a survey (recorded on the recipient organisation's response stream). */
export const isSurveyMessage = (m: Pick<OutboundNotification, 'streamId'>) => m.streamId.startsWith(PREFIX);

/** The message a delivery fact is about, as the response stream records it. */
const about = (message: OutboundNotification) => ({
  org: message.org ?? '',
  key: message.key,
  purpose: message.purpose as SurveyPurpose,
  contactId: message.contactId ?? 'unknown',
  channel: message.channel,
});

/**
 * A survey's response streams, one per recipient organisation (a stream that may have no events
 * yet): each outcome (`SurveyDelivered` / `SurveyDeliveryFailed`) and each failed attempt the queue
 * retries (`SurveyDeliveryAttemptFailed`) is recorded there. The decision reads the survey, once per
 * survey in a batch.
 */
const responseTarget: BatchTarget<MaybeResponse, ResponseEvent, ResponseCommand, ResponseContext> = {
  aggregate: responses,
  streamOf: (message) => message.streamId.slice(PREFIX.length),
  delivered: (state, key) => state?.deliveries?.some((d) => d.key === key) ?? false,
  outcome: (message, outcome) => ({
    type: 'RecordSurveyDelivery',
    data: { ...about(message), to: message.to, outcome },
  }),
  attempt: (message, retried) => ({
    type: 'RecordSurveyDeliveryAttempt',
    data: { ...about(message), ...retried },
  }),
  contexts: () => {
    const read = new Map<string, Promise<SurveyState>>();
    return async (message, now) => {
      const id = message.streamId.slice(PREFIX.length);
      const surveyId = id.slice(0, id.indexOf('#'));
      let survey = read.get(surveyId);
      if (!survey) {
        survey = loadAggregate(store, surveys, surveyId).then(({ state }) => {
          if (state === null)
            throw new NotFoundError(`no survey ${surveyId} for notification ${message.key}`);
          return state;
        });
        read.set(surveyId, survey);
      }
      return { now, actor: NOTIFIER, survey: await survey };
    };
  },
};

/**
 * Delivers a queue batch of survey messages (invitations and reminders) and records them on the
 * organisations' response streams, as an advisory's recipient messages are (deliverBatch: a key
 * already recorded is not sent again; outcomes and failed attempts recorded by group commit).
 * Returns the indexes that failed, for the queue to retry.
 */
export const deliverSurveyBatch = (
  messages: readonly OutboundNotification[],
  send: (m: OutboundNotification) => Promise<Outcome>,
): Promise<BatchFailure[]> => deliverBatch(responseTarget, messages, send);
