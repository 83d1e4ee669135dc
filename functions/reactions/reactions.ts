import type { IncidentEvent, IncidentState, Recorded } from '../../events/incident/incident.ts';
import { type Audience, notificationsFor } from '../../events/incident/notifications.ts';
import { presetOf, stageById } from '../../events/reporting.ts';
import { sectorOr } from '../../events/sector/catalog.ts';
import { type Contact, type Directory, orgOfKind } from '../aggregates/directory.ts';
import type { Notifier, OutboundNotification } from '../notify/notifier.ts';
import { bodyFor, type Lang, type MessageFacts, render } from '../notify/templates.ts';

/** What the reactions need from the outside world. */
export interface ReactionDeps {
  readonly notifier: Notifier;
  readonly directory: Directory;
  readonly publicUrl: string;
}

/** The deadline an event sets, for the message that announces it. */
function dueAtOf(event: Recorded<IncidentEvent>): string | null {
  switch (event.type) {
    case 'IncidentReported':
      return event.data.secretariatDueAt;
    case 'FollowUpAdded':
      return event.data.secretariatDueAt ?? null;
    case 'RelayApproved':
      return event.data.ministryDueAt;
    case 'RelayReturned':
      return event.data.memberDueAt;
    case 'ReceiptAcknowledged':
      return event.data.niscDueAt ?? null;
    case 'HopDeadlineMissed':
      return event.data.nextDueAt;
    case 'StageReminderDue':
    case 'StageEscalated':
      return event.data.dueAt;
    default:
      return null;
  }
}

/** The contacts an audience names, and their organisation. */
function contactsOf(
  audience: Audience,
  state: IncidentState,
  directory: Directory,
): { org: string; contacts: Contact[] } {
  if ('reporter' in audience) {
    const { name, email, phone } = state.report.contact;
    const memberLang = directory.organizations[state.org]?.contacts[0]?.lang ?? 'ja';
    const reporter: Contact = {
      id: 'reporter',
      name,
      email,
      ...(phone ? { phone } : {}),
      lang: memberLang,
      escalation: false,
      primary: 'email',
    };
    return { org: state.org, contacts: [reporter] };
  }
  if ('member' in audience) {
    // The reporting organisation's own contacts (its escalation-only ones when it has nothing else).
    const own = directory.organizations[state.org]?.contacts ?? [];
    const duty = own.filter((c) => !c.escalation);
    return { org: state.org, contacts: duty.length > 0 ? duty : own };
  }
  const org = orgOfKind(directory, audience.org, sectorOr(state.sector));
  if (!org) return { org: '', contacts: [] };
  const wanted = org.contacts.filter((c) => c.escalation === (audience.contacts === 'escalation'));
  // An organisation without a separate escalation contact escalates to everyone it has.
  return { org: org.id, contacts: wanted.length > 0 ? wanted : org.contacts };
}

/** Every message an event calls for, rendered per contact language and channel. */
export function messagesFor(
  event: Recorded<IncidentEvent>,
  state: IncidentState,
  deps: Pick<ReactionDeps, 'directory' | 'publicUrl'>,
): OutboundNotification[] {
  const messages: OutboundNotification[] = [];
  for (const plan of notificationsFor(event, state)) {
    const facts: MessageFacts = {
      purpose: plan.purpose,
      incidentId: state.id,
      title: state.report.title,
      severity: state.severity,
      tlp: state.report.tlp,
      hop: plan.hop,
      dueAt: dueAtOf(event),
      escalation: event.type === 'HopDeadlineMissed' ? event.data.escalation : null,
      stage: plan.stage === undefined ? null : (stageById(presetOf(state), plan.stage)?.names ?? null),
      link: `${deps.publicUrl}/incidents/${state.id}`,
    };
    const seen = new Set<string>();
    for (const audience of plan.audience) {
      const { org, contacts } = contactsOf(audience, state, deps.directory);
      for (const contact of contacts) {
        if (seen.has(contact.id)) continue;
        seen.add(contact.id);
        const message = render(facts, contact.lang as Lang);
        const addresses = [
          ...(contact.email ? [['email', contact.email] as const] : []),
          ...(contact.phone ? [['sms', contact.phone] as const] : []),
          ...(contact.webhook ? [['webhook', contact.webhook] as const] : []),
          ...(plan.call && contact.voice ? [['voice', contact.voice] as const] : []),
        ];
        for (const [channel, to] of addresses) {
          messages.push({
            key: `${event.version}:${plan.purpose}:${contact.id}:${channel}`,
            streamId: `incident#${state.id}`,
            org,
            purpose: plan.purpose,
            channel,
            to,
            subject: message.subject,
            body: bodyFor(message, channel),
            ...(channel === 'voice' ? { lang: contact.lang } : {}),
          });
        }
      }
    }
  }
  return messages;
}

/**
 * Publishes the messages one committed incident event calls for. Safe to run more than once.
 * (Its workflow reactions are advanceIncidentWorkflow's, in functions/reactions/workflow-reactions.ts.)
 */
export async function notifyIncidentEvent(
  event: Recorded<IncidentEvent>,
  state: IncidentState,
  deps: ReactionDeps,
): Promise<void> {
  const messages = messagesFor(event, state, deps);
  if (messages.length > 0) await deps.notifier.publish(messages);
}
