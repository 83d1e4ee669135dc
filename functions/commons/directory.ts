import {
  type DirectoryContact,
  type MaybeOrganization,
  type OrganizationEntry,
  type OrgKind,
  organizationSchema,
  orgId,
} from '../../events/directory/directory.ts';
import * as z from '../../events/zod.ts';
import { allHeads, type EventReader } from './event-store.ts';

/** Every organisation and its contacts, as the notification code reads them. */
export interface Directory {
  readonly organizations: Readonly<Record<string, OrganizationEntry>>;
}
export type Contact = DirectoryContact;

/** Parses a directory document; throws with the offending path on a bad address. */
export const parseDirectory = (json: unknown): Directory =>
  z.strictObject({ organizations: z.record(orgId, organizationSchema()) }).parse(json);

/** The stream type of directory entries (one stream per organisation). */
export const ORGANIZATION_STREAM = 'organization';

/** The event-sourced directory: every organisation's head, read from the byType index page by page. */
export async function loadDirectory(reader: EventReader): Promise<Directory> {
  const organizations: Record<string, OrganizationEntry> = {};
  for await (const { state } of allHeads<MaybeOrganization>(reader, {
    index: 'byType',
    key: ORGANIZATION_STREAM,
  })) {
    if (state) organizations[state.org] = state.entry;
  }
  return { organizations };
}

/** The organisation of a kind (secretariat, ministry, nisc): the first one the directory lists. */
export function orgOfKind(dir: Directory, kind: Exclude<OrgKind, 'member'>) {
  const entry = Object.entries(dir.organizations)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .find(([, org]) => org.kind === kind);
  return entry ? { id: entry[0], ...entry[1] } : undefined;
}

/** The member organisations, by id. */
export const memberOrgs = (dir: Directory): string[] =>
  Object.entries(dir.organizations)
    .filter(([, org]) => org.kind === 'member')
    .map(([id]) => id)
    .sort();
