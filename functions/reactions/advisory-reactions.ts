import type { AdvisoryEvent, AdvisoryPurpose, AdvisoryState } from '../../events/advisory/advisory.ts';
import { chainCalls, pendingHop } from '../../events/advisory/advisory.ts';
import {
  addressOf,
  channels,
  type DirectoryChannel,
  type OrgKind,
} from '../../events/directory/directory.ts';
import type { Recorded } from '../../events/incident/incident.ts';
import { type SectorId, sectorOr } from '../../events/sector/catalog.ts';
import { RECIPIENT_STREAM_PREFIX, recipientId } from '../aggregates/advisories.ts';
import { type Contact, type Directory, orgOfKind } from '../aggregates/directory.ts';
import { signAckToken } from '../notify/ack-link.ts';
import type { Notifier, OutboundNotification } from '../notify/notifier.ts';
import { type AdvisoryFacts, bodyFor, type Lang, renderAdvisory } from '../notify/templates.ts';

/** What building an advisory's messages needs: the contacts, the key that signs links, the links' bases. */
export type AdvisoryMessageDeps = Pick<AdvisoryReactionDeps, 'directory' | 'ackKey' | 'publicUrl' | 'ackUrl'>;

/** What the advisory reactions need from the outside world. */
export interface AdvisoryReactionDeps {
  readonly notifier: Notifier;
  readonly directory: () => Promise<Directory>;
  readonly ackKey: () => Promise<Uint8Array>;
  readonly publicUrl: string;
  /** Base of acknowledgement links, served by the API (in AWS not the console's origin); default publicUrl. */
  readonly ackUrl?: string;
}

type Target = { kind: Exclude<OrgKind, 'member'>; contacts: 'duty' | 'escalation' | 'all' };

function contactsOfKind(
  directory: Directory,
  target: Target,
  sector: SectorId,
): { org: string; contacts: Contact[] } {
  const org = orgOfKind(directory, target.kind, sector);
  if (!org) return { org: '', contacts: [] };
  if (target.contacts === 'all') return { org: org.id, contacts: org.contacts };
  const wanted = org.contacts.filter((c) => c.escalation === (target.contacts === 'escalation'));
  return { org: org.id, contacts: wanted.length > 0 ? wanted : org.contacts };
}

function facts(
  state: AdvisoryState,
  purpose: AdvisoryPurpose,
  publicUrl: string,
  extra: Partial<AdvisoryFacts> = {},
) {
  return {
    purpose,
    title: state.title,
    body: state.body,
    tlp: state.tlp,
    drill: state.drill,
    dueAt: null,
    notes: (['ministry', 'secretariat'] as const).flatMap((h) =>
      state.hops[h]?.note ? [state.hops[h].note] : [],
    ),
    link: `${publicUrl}/advisories/${state.id}`,
    ackLink: null,
    escalation: null,
    missed: null,
    ...extra,
  } satisfies AdvisoryFacts;
}

/** Messages to the chain's organisations (ministry, secretariat), on every channel they have; recorded on the advisory. */
function chainMessages(
  event: Recorded<AdvisoryEvent>,
  state: AdvisoryState,
  targets: readonly Target[],
  f: AdvisoryFacts,
  directory: Directory,
): OutboundNotification[] {
  const out: OutboundNotification[] = [];
  const seen = new Set<string>();
  for (const target of targets) {
    const { org, contacts } = contactsOfKind(directory, target, sectorOr(state.sector));
    for (const contact of contacts) {
      if (seen.has(contact.id)) continue;
      seen.add(contact.id);
      const message = renderAdvisory(f, contact.lang as Lang);
      const written = ['email', 'sms', 'webhook'] as const;
      for (const channel of chainCalls(f.purpose, state.severity)
        ? [...written, 'voice' as const]
        : written) {
        const to = addressOf(contact, channel);
        if (!to) continue;
        out.push({
          key: `${event.version}:${f.purpose}:${contact.id}:${channel}`,
          streamId: `advisory#${state.id}`,
          org,
          purpose: f.purpose,
          channel,
          to,
          subject: message.subject,
          body: bodyFor(message, channel),
          contactId: contact.id,
          ...(channel === 'voice' ? { lang: contact.lang } : {}),
        });
      }
    }
  }
  return out;
}

/**
 * Messages to recipient organisations: each contact on one channel (the primary for the
 * advisory, the secondary for a reminder), each with its own acknowledgement link.
 * Recorded on the recipient's stream.
 */
async function recipientMessages(
  event: Recorded<AdvisoryEvent>,
  state: AdvisoryState,
  orgs: readonly string[],
  purpose: 'advisory' | 'reminder',
  deps: AdvisoryMessageDeps,
): Promise<OutboundNotification[]> {
  // A contact check tests every route a contact has; an advisory goes out on the primary one.
  const check = state.contactCheck === true && purpose === 'advisory';
  const directory = await deps.directory();
  const key = await deps.ackKey();
  const dueAt = state.ackDueAt ?? state.updatedAt;
  // Late acknowledgements still count (as late) for as long again as the window.
  const expiresAt = new Date(
    2 * Date.parse(dueAt) - Date.parse(state.distributedAt ?? dueAt) + 60_000,
  ).toISOString();
  const rendered = new Map<Lang, ReturnType<typeof renderAdvisory>>();
  // Organisation-major order: an organisation's contacts are neighbours on the queue, so they mostly share
  // a batch, whose deliveries to one recipient stream are recorded in one append (runGrouped).
  const messages: OutboundNotification[] = [];
  for (const org of orgs) {
    for (const contact of directory.organizations[org]?.contacts ?? []) {
      const wanted: DirectoryChannel =
        purpose === 'reminder' ? (contact.secondary ?? contact.primary) : contact.primary;
      const routes: DirectoryChannel[] = check
        ? channels.filter((c) => addressOf(contact, c) !== undefined)
        : [wanted];
      if (routes.length === 0) continue;
      const token = await signAckToken(key, { advisoryId: state.id, org, contactId: contact.id }, expiresAt);
      const ackLink = `${deps.ackUrl ?? deps.publicUrl}/ack/${token}`;
      const lang = contact.lang as Lang;
      // The body differs per contact only by the link: render once per language, then swap it in.
      let base = rendered.get(lang);
      if (!base) {
        const shown = check ? 'contact_check' : purpose;
        base = renderAdvisory(facts(state, shown, deps.publicUrl, { dueAt, ackLink: '\u0000' }), lang);
        rendered.set(lang, base);
      }
      const message = {
        ...base,
        text: base.text.replace('\u0000', ackLink),
        short: base.short.replace('\u0000', ackLink),
      };
      for (const channel of routes) {
        messages.push({
          key: `${event.version}:${purpose}:${contact.id}:${channel}`,
          streamId: `${RECIPIENT_STREAM_PREFIX}${recipientId(state.id, org)}`,
          org,
          sector: sectorOr(state.sector),
          purpose,
          channel,
          to: addressOf(contact, channel) ?? '',
          subject: message.subject,
          body: bodyFor(message, channel),
          contactId: contact.id,
          ...(channel === 'voice' ? { lang } : {}),
        });
      }
    }
  }
  return messages;
}

/** Every message an advisory event calls for. */
export async function advisoryMessagesFor(
  event: Recorded<AdvisoryEvent>,
  state: AdvisoryState,
  deps: AdvisoryMessageDeps,
): Promise<OutboundNotification[]> {
  const url = deps.publicUrl;
  switch (event.type) {
    case 'AdvisoryIssued': {
      const hop = pendingHop(state.status);
      if (hop === null) return [];
      const f = facts(state, 'forward_requested', url, { dueAt: event.data.forwardDueAt ?? null });
      return chainMessages(event, state, [{ kind: hop, contacts: 'duty' }], f, await deps.directory());
    }
    case 'AdvisoryForwarded': {
      if (event.data.hop !== 'ministry') return [];
      const f = facts(state, 'forward_requested', url, { dueAt: event.data.nextDueAt ?? null });
      return chainMessages(
        event,
        state,
        [{ kind: 'secretariat', contacts: 'duty' }],
        f,
        await deps.directory(),
      );
    }
    case 'AdvisoryDistributed':
      return recipientMessages(event, state, event.data.recipients, 'advisory', deps);
    case 'RemindersDue':
      return recipientMessages(event, state, event.data.orgs, 'reminder', deps);
    case 'ForwardDeadlineMissed': {
      const { hop, escalation, nextDueAt } = event.data;
      const f = facts(state, 'forward_escalation', url, { dueAt: nextDueAt, escalation });
      const targets: Target[] = [
        { kind: hop, contacts: 'escalation' },
        { kind: hop, contacts: 'duty' },
      ];
      if (hop === 'ministry') targets.push({ kind: 'secretariat', contacts: 'escalation' });
      return chainMessages(event, state, targets, f, await deps.directory());
    }
    case 'ForwardStalled': {
      const f = facts(state, 'forward_stalled', url);
      return chainMessages(
        event,
        state,
        [{ kind: 'secretariat', contacts: 'escalation' }],
        f,
        await deps.directory(),
      );
    }
    case 'AckWindowClosed': {
      const f = facts(state, 'window_closed', url, { missed: event.data.missed.length });
      return chainMessages(
        event,
        state,
        [{ kind: 'secretariat', contacts: 'duty' }],
        f,
        await deps.directory(),
      );
    }
    case 'AdvisoryWaitStarted':
    case 'NotificationDelivered':
    case 'NotificationFailed':
    case 'NotificationAttemptFailed':
      return [];
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

/**
 * Publishes the messages one committed advisory event calls for. Safe to run more than once.
 * (Its workflow reactions are advanceAdvisoryWorkflow's, in functions/reactions/workflow-reactions.ts.)
 */
export async function notifyAdvisoryEvent(
  event: Recorded<AdvisoryEvent>,
  state: AdvisoryState,
  deps: AdvisoryReactionDeps,
): Promise<void> {
  const messages = await advisoryMessagesFor(event, state, deps);
  if (messages.length > 0) await deps.notifier.publish(messages);
}
