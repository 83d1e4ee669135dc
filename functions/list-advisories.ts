import type { AdvisoryState, MaybeAdvisory, MaybeRecipient } from '../events/advisory/advisory.ts';
import { advisoryListRow } from '../events/advisory/list.ts';
import { canSeeAdvisory } from '../events/advisory/visibility.ts';
import { ValidationError } from '../events/errors.ts';
import { recipientId, recipients } from './commons/advisories.ts';
import { DynamoDbBatchHeadReader } from './commons/batch-heads.ts';
import { eventsTable } from './commons/config.ts';
import { httpHandler } from './commons/http.ts';
import { pageLimit, readPage } from './commons/paging.ts';
import { dynamoClient } from './commons/reader.ts';

const store = new DynamoDbBatchHeadReader(dynamoClient, eventsTable);

/** `?drill=true|false` keeps drills or real advisories only; absent keeps both. */
function drillFilter(raw: string | undefined): boolean | null {
  if (raw === undefined) return null;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new ValidationError('drill must be true or false', [{ path: 'drill', message: 'true or false' }]);
}

/**
 * GET /advisories: the advisories the caller may see, newest first, paged, each with what the
 * caller has to do about it: the chain its pending hop and forward deadline, a member whether
 * its organisation is a recipient and when it acknowledged. A member's page costs one Query
 * and one BatchGetItem per 100 of its recipient heads, never a read per row.
 */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const { actor } = request;
    const limit = pageLimit(request.query.limit, 50, 200);
    const drill = drillFilter(request.query.drill);
    const page = await readPage(() =>
      store.listHeads<MaybeAdvisory>(
        { index: 'byType', key: 'advisory' },
        { limit, cursor: request.query.cursor ?? null },
      ),
    );
    // Filtered after the Query (TLP rights, drill), so a page may hold fewer rows than `limit`.
    const visible = page.items
      .map((head) => head.state)
      .filter((s): s is AdvisoryState => s !== null && canSeeAdvisory(s, actor))
      .filter((s) => drill === null || s.drill === drill);
    const org = actor.role === 'member' ? (actor.org ?? '') : '';
    const ownIds = visible
      .filter((s) => org !== '' && s.recipients.includes(org))
      .map((s) => recipients.streamId(recipientId(s.id, org)));
    const own = ownIds.length > 0 ? await store.loadHeads<MaybeRecipient>(ownIds) : new Map();
    const items = visible.map((s) =>
      advisoryListRow(s, actor, own.get(recipients.streamId(recipientId(s.id, org)))?.state ?? undefined),
    );
    return { status: 200, body: { items, cursor: page.cursor } };
  },
);
