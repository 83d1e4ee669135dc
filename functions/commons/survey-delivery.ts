import { systemActor } from '../../events/actor.ts';
import { NotFoundError } from '../../events/errors.ts';
import type { SurveyPurpose } from '../../events/survey/survey.ts';
import { deliverOnceWith } from './advisory-delivery.ts';
import { loadAggregate } from './command-runner.ts';
import type { OutboundNotification } from './notifier.ts';
import type { Outcome } from './senders.ts';
import { store } from './store.ts';
import { responses, surveys } from './surveys.ts';

const actor = systemActor('notifier');

const PREFIX = 'survey-response#';

/** True for a message about a survey (recorded on the recipient organisation's response stream). */
export const isSurveyMessage = (m: Pick<OutboundNotification, 'streamId'>) => m.streamId.startsWith(PREFIX);

/**
 * Delivers one survey message (invitation or reminder) and records it on the organisation's
 * response stream, as an advisory recipient's deliveries are: a key already recorded is not sent
 * again (a redelivered queue message).
 */
export async function deliverSurveyMessage(
  message: OutboundNotification,
  send: (m: OutboundNotification) => Promise<Outcome>,
): Promise<void> {
  const id = message.streamId.slice(PREFIX.length);
  const surveyId = id.slice(0, id.indexOf('#'));
  const { state: survey } = await loadAggregate(store, surveys, surveyId);
  if (survey === null) throw new NotFoundError(`no survey ${surveyId} for notification ${message.key}`);
  await deliverOnceWith(
    responses,
    id,
    message,
    send,
    (outcome) => ({
      type: 'RecordSurveyDelivery' as const,
      data: {
        org: message.org ?? '',
        key: message.key,
        purpose: message.purpose as SurveyPurpose,
        contactId: message.contactId ?? 'unknown',
        channel: message.channel,
        to: message.to,
        outcome,
      },
    }),
    (now) => ({ now, actor, survey }),
    { mayBeNew: true },
  );
}
