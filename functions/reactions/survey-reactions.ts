import { addressOf, type DirectoryChannel } from '../../events/directory/directory.ts';
import type { Recorded } from '../../events/incident/incident.ts';
import {
  invitedOrgs,
  isNamed,
  latestVersion,
  type SurveyEvent,
  type SurveyPurpose,
  type SurveyState,
} from '../../events/survey/survey.ts';
import type { Directory } from '../aggregates/directory.ts';
import { responseId } from '../aggregates/surveys.ts';
import type { Notifier, OutboundNotification } from '../notify/notifier.ts';
import { bodyFor, type Lang, renderSurvey } from '../notify/templates.ts';

/** What the survey reactions need from the outside world. */
export interface SurveyReactionDeps {
  readonly notifier: Notifier;
  readonly directory: () => Promise<Directory>;
  /** The console's base: the link in each message opens the survey there. */
  readonly publicUrl: string;
}

/** The stream a survey message to an organisation is recorded on: its response stream. */
export const surveyMessageStream = (surveyId: string, org: string) =>
  `survey-response#${responseId(surveyId, org)}`;

/**
 * The messages to the recipient organisations, as an advisory's go out: each contact on one
 * channel (its primary for the invitation, its secondary for a reminder), in the contact's
 * language. A TLP:RED survey goes to the named contacts (those with a login named at issue) only:
 * whoever may not see it is not told about it.
 */
async function recipientMessages(
  event: Recorded<SurveyEvent>,
  state: SurveyState,
  orgs: readonly string[],
  purpose: SurveyPurpose,
  deps: Pick<SurveyReactionDeps, 'directory' | 'publicUrl'>,
): Promise<OutboundNotification[]> {
  if (state.dueAt === undefined) return [];
  const directory = await deps.directory();
  const { definition } = latestVersion(state);
  const facts = {
    purpose,
    title: definition.title,
    tlp: state.tlp,
    dueAt: state.dueAt,
    link: `${deps.publicUrl}/surveys/${state.id}`,
  };
  const rendered = new Map<Lang, ReturnType<typeof renderSurvey>>();
  // Organisation-major, as for advisories: an organisation's contacts mostly share a queue batch (one append).
  const messages: OutboundNotification[] = [];
  for (const org of orgs) {
    for (const contact of directory.organizations[org]?.contacts ?? []) {
      // TLP:RED: the named contacts only (a contact without a login is never named).
      if (state.tlp === 'RED' && !(contact.login && isNamed(state, org, contact.login))) continue;
      const channel: DirectoryChannel =
        purpose === 'survey_reminder' ? (contact.secondary ?? contact.primary) : contact.primary;
      const to = addressOf(contact, channel);
      if (!to) continue;
      const lang = contact.lang as Lang;
      let message = rendered.get(lang);
      if (!message) {
        message = renderSurvey(facts, lang);
        rendered.set(lang, message);
      }
      messages.push({
        key: `${event.version}:${purpose}:${contact.id}:${channel}`,
        streamId: surveyMessageStream(state.id, org),
        org,
        purpose,
        channel,
        to,
        subject: message.subject,
        body: bodyFor(message, channel),
        contactId: contact.id,
        ...(channel === 'voice' ? { lang } : {}),
      });
    }
  }
  return messages;
}

/** Every message a survey event calls for: the invitation at issue, the reminder when it is due. */
export async function surveyMessagesFor(
  event: Recorded<SurveyEvent>,
  state: SurveyState,
  deps: Pick<SurveyReactionDeps, 'directory' | 'publicUrl'>,
): Promise<OutboundNotification[]> {
  switch (event.type) {
    case 'SurveyIssued':
      return recipientMessages(event, state, invitedOrgs(state), 'survey', deps);
    case 'SurveyRemindersDue':
      return recipientMessages(event, state, event.data.orgs, 'survey_reminder', deps);
    case 'SurveyCreated':
    case 'SurveyRevised':
    case 'SurveyWaitStarted':
    case 'SurveyClosed':
    case 'SurveyFreeTextReleased':
      return [];
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

/** Publishes the messages one committed survey event calls for. Safe to run more than once. */
export async function notifySurveyEvent(
  event: Recorded<SurveyEvent>,
  state: SurveyState,
  deps: SurveyReactionDeps,
): Promise<void> {
  const messages = await surveyMessagesFor(event, state, deps);
  if (messages.length > 0) await deps.notifier.publish(messages);
}
