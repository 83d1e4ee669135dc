import { channels, type MaybeOrganization } from '../events/directory/directory.ts';
import { ORGANIZATION_STREAM } from './commons/directory.ts';
import { allHeads } from './commons/event-store.ts';
import { httpHandler } from './commons/http.ts';
import { reader } from './commons/reader.ts';

/**
 * GET /directory/organizations: every organisation of the directory, by id, each with its
 * kind, names, how many contacts it has, the channels they can be reached on and whether
 * every contact has two routes (for the secretariat's list; the entry itself is
 * `GET /directory/organizations/{org}`). Read from the `organization` heads page by page.
 */
export const handler = httpHandler({ allow: ['secretariat', 'auditor'] }, async () => {
  const items = [];
  for await (const { state } of allHeads<MaybeOrganization>(reader, {
    index: 'byType',
    key: ORGANIZATION_STREAM,
  })) {
    if (state === null) continue;
    const { entry } = state;
    items.push({
      org: state.org,
      kind: entry.kind,
      member: entry.kind === 'member',
      name: entry.name,
      contacts: entry.contacts.length,
      channels: channels.filter((ch) => entry.contacts.some((c) => c.primary === ch || c.secondary === ch)),
      twoRoutes: entry.contacts.every((c) => c.secondary !== undefined),
      updatedAt: state.updatedAt,
      version: state.version,
    });
  }
  items.sort((a, b) => (a.org < b.org ? -1 : a.org > b.org ? 1 : 0));
  return { status: 200, body: { items } };
});
