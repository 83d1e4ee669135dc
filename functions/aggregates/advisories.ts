import {
  type AdvisoryEvent,
  evolveAdvisory,
  evolveRecipient,
  initialAdvisory,
  initialRecipient,
  type MaybeAdvisory,
  type MaybeRecipient,
  type RecipientEvent,
  type RecipientState,
} from '../../events/advisory/advisory.ts';
import {
  type AdvisoryCommand,
  type AdvisoryContext,
  decideAdvisory,
  decideRecipient,
  type RecipientCommand,
  type RecipientContext,
} from '../../events/advisory/decide.ts';
import { sectorOr, sectorPartition } from '../../events/sector/catalog.ts';
import type { Aggregate } from '../store/command-runner.ts';
import { allHeads, type EventReader } from '../store/event-store.ts';
import { upcastV1 } from '../store/upcast.ts';

/** The byOrg index key of the advisories not closed yet (never an organisation's `org#…` key). */
export const OPEN_ADVISORIES = 'open-advisories';

/** The byType partition of advisories, before the sector (events/sector/catalog.ts, sectorPartition). */
export const ADVISORY_LIST = 'advisory';

/** The advisory aggregate: the hop chain and the acknowledgement window, one stream per advisory. */
export const advisories: Aggregate<MaybeAdvisory, AdvisoryEvent, AdvisoryCommand, AdvisoryContext> = {
  streamType: 'advisory',
  stateSchema: 1,
  eventSchema: 1,
  streamId: (id) => `advisory#${id}`,
  initialState: initialAdvisory,
  evolve: evolveAdvisory,
  decide: decideAdvisory,
  project: (state) => {
    if (state === null) throw new Error('cannot index an advisory that does not exist');
    return {
      // One partition per sector (chemical's is the one there was before sectors): a list is one Query.
      listPk: sectorPartition(ADVISORY_LIST, sectorOr(state.sector)),
      listSk: `${state.createdAt}#${state.id}`,
      // Listed under OPEN_ADVISORIES (the sparse byOrg index) until its window closes: what may still
      // await someone's forward or acknowledgement, however many advisories came after it.
      ...(state.status === 'closed'
        ? {}
        : { orgPk: sectorPartition(OPEN_ADVISORIES, sectorOr(state.sector)) }),
      // Open work until the window closed and the closing notice (window_closed) was recorded:
      // recipients' messages go out at distribution and reminders, before the window closes.
      open: state.status !== 'closed' || !state.deliveries.some((d) => d.purpose === 'window_closed'),
    };
  },
  upcast: (stored) => upcastV1<AdvisoryEvent>(stored),
};

/** The prefix of recipient streams; the rest is `<advisory id>#<org>`. */
export const RECIPIENT_STREAM_PREFIX = 'advisory-recipient#';

/** The advisory stream (`advisory#<id>`) an advisory recipient's stream belongs to; null for any other stream. */
export function advisoryOfRecipient(streamId: string): string | null {
  if (!streamId.startsWith(RECIPIENT_STREAM_PREFIX)) return null;
  const advisoryId = streamId.slice(RECIPIENT_STREAM_PREFIX.length).split('#', 1)[0];
  return advisoryId ? `advisory#${advisoryId}` : null;
}

/** The index key under which an advisory's recipient heads are listed (byType). */
export const recipientListKey = (advisoryId: string) => `advisory-recipients#${advisoryId}`;

/**
 * One recipient organisation of one advisory: its deliveries, reminders and acknowledgements.
 * A stream of its own, so thousands of recipients append in parallel instead of contending
 * for one advisory stream's version.
 */
export const recipients: Aggregate<MaybeRecipient, RecipientEvent, RecipientCommand, RecipientContext> = {
  streamType: 'advisory-recipient',
  stateSchema: 1,
  eventSchema: 1,
  streamId: (id) => `${RECIPIENT_STREAM_PREFIX}${id}`,
  initialState: initialRecipient,
  evolve: evolveRecipient,
  decide: decideRecipient,
  project: (state) => {
    if (state === null) throw new Error('cannot index a recipient that does not exist');
    return { listPk: recipientListKey(state.advisoryId), listSk: state.org };
  },
  upcast: (stored) => upcastV1<RecipientEvent>(stored),
};

/** The id of a recipient stream (without the prefix). */
export const recipientId = (advisoryId: string, org: string) => `${advisoryId}#${org}`;

/** Every recipient head of an advisory: one Query on the byType index, page by page. */
export async function loadRecipients(reader: EventReader, advisoryId: string): Promise<RecipientState[]> {
  const out: RecipientState[] = [];
  for await (const { state } of allHeads<MaybeRecipient>(reader, {
    index: 'byType',
    key: recipientListKey(advisoryId),
  })) {
    if (state) out.push(state);
  }
  return out;
}
