import { randomUUID } from 'node:crypto';
import type { Actor } from '../../events/actor.ts';
import type { AdvisoryState } from '../../events/advisory/advisory.ts';
import type { AdvisoryCommand, AdvisoryContext, MemberRoster } from '../../events/advisory/decide.ts';
import { ValidationError } from '../../events/errors.ts';
import type { SectorId } from '../../events/sector/catalog.ts';
import { actingSector, visibleSectors } from '../../events/sector/visibility.ts';
import { advisories } from '../aggregates/advisories.ts';
import { type Directory, loadDirectory, memberOrgs } from '../aggregates/directory.ts';
import { policy } from '../runtime/policy-config.ts';
import type { EventReader } from '../store/event-store.ts';
import type { HttpRequest, HttpResponse } from './http.ts';
import { httpCommand } from './http-command.ts';

export { advisoryIdFrom } from './advisory-id.ts';

/** A sector's member organisations and their contacts' logins, as the directory says now. */
export function rosterOf(directory: Directory, sector: SectorId): MemberRoster {
  const members = memberOrgs(directory, sector);
  const logins = Object.fromEntries(
    members.map((org) => [
      org,
      (directory.organizations[org]?.contacts ?? []).flatMap((c) => (c.login ? [c.login] : [])),
    ]),
  );
  return { members, logins };
}

/** A sector's roster read from the event-sourced directory (one Query of the sector's partition). */
export const loadRoster = async (reader: EventReader, sector: SectorId) =>
  rosterOf(await loadDirectory(reader, sector), sector);

/**
 * The sector a new advisory goes to: the one the body names among the caller's, else its only one
 * (chemical for a caller that sees it among several); a 400 naming `sector` when the caller must choose.
 */
export function issuingSector(actor: Actor, requested: SectorId | undefined): SectorId {
  const sector = actingSector(actor, requested);
  if (sector !== null) return sector;
  throw new ValidationError('name the sector', [
    {
      path: 'sector',
      message:
        requested === undefined ? `one of ${visibleSectors(actor).join(', ')}` : 'not a sector of yours',
    },
  ]);
}

/** The short answer to an advisory command. */
export const advisoryAnswer = (state: AdvisoryState, version: number) => ({
  id: state.id,
  status: state.status,
  drill: state.drill,
  version,
});

/**
 * Runs a person's command on an advisory over HTTP, idempotent per Idempotency-Key, retried
 * on a concurrent append (workflow records land on the advisory's stream) and decided again.
 */
export async function advisoryCommand(
  request: HttpRequest<unknown>,
  id: string,
  command: AdvisoryCommand,
  answer: { status: number; location?: boolean; newStream?: boolean },
): Promise<HttpResponse> {
  const ctx: AdvisoryContext = { now: new Date().toISOString(), actor: request.actor, policy };
  return httpCommand(request, advisories, id, command, ctx, {
    status: answer.status,
    body: advisoryAnswer,
    ...(answer.newStream ? { newStream: true } : {}),
    ...(answer.location ? { location: (state: AdvisoryState) => `/advisories/${state.id}` } : {}),
  });
}

/** A new advisory's id. */
export const newAdvisoryId = () => randomUUID();
