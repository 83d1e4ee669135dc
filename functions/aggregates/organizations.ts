import type { Actor } from '../../events/actor.ts';
import {
  decideOrganization,
  evolveOrganization,
  initialOrganization,
  type MaybeOrganization,
  type OrganizationCommand,
  type OrganizationEvent,
  orgId,
} from '../../events/directory/directory.ts';
import { ValidationError } from '../../events/errors.ts';
import type { Aggregate } from '../store/command-runner.ts';
import { upcastV1 } from '../store/upcast.ts';
import { ORGANIZATION_STREAM, organizationPartition } from './directory.ts';

/** The directory entry aggregate: one stream per organisation, listed in byType under `organization`. */
export const organizations: Aggregate<
  MaybeOrganization,
  OrganizationEvent,
  OrganizationCommand,
  { now: string; actor: Actor }
> = {
  streamType: ORGANIZATION_STREAM,
  stateSchema: 1,
  eventSchema: 1,
  streamId: (org) => `organization#${org}`,
  initialState: initialOrganization,
  evolve: evolveOrganization,
  decide: decideOrganization,
  project: (state) => {
    if (state === null) throw new Error('cannot index an organisation that does not exist');
    return { listPk: organizationPartition(state.entry), listSk: state.org };
  },
  upcast: (stored) => upcastV1<OrganizationEvent>(stored),
};

/** The `{org}` path parameter, or a 400 that names it. */
export function orgIdFrom(params: Readonly<Record<string, string | undefined>>): string {
  const parsed = orgId.safeParse(params.org);
  if (!parsed.success)
    throw new ValidationError('invalid organisation id', [{ path: 'org', message: 'invalid' }]);
  return parsed.data;
}
