import { randomUUID } from 'node:crypto';
import type { AdvisoryState } from '../../events/advisory/advisory.ts';
import type { AdvisoryCommand, AdvisoryContext, MemberRoster } from '../../events/advisory/decide.ts';
import { advisories } from './advisories.ts';
import { type Directory, loadDirectory, memberOrgs } from './directory.ts';
import type { EventReader } from './event-store.ts';
import type { HttpRequest, HttpResponse } from './http.ts';
import { httpCommand } from './http-command.ts';
import { policy } from './policy-config.ts';

export { advisoryIdFrom } from './advisory-id.ts';

/** The member organisations and their contacts' logins, as the directory says now. */
export function rosterOf(directory: Directory): MemberRoster {
  const members = memberOrgs(directory);
  const logins = Object.fromEntries(
    members.map((org) => [
      org,
      (directory.organizations[org]?.contacts ?? []).flatMap((c) => (c.login ? [c.login] : [])),
    ]),
  );
  return { members, logins };
}

/** The roster read from the event-sourced directory. */
export const loadRoster = async (reader: EventReader) => rosterOf(await loadDirectory(reader));

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
  answer: { status: number; location?: boolean },
): Promise<HttpResponse> {
  const ctx: AdvisoryContext = { now: new Date().toISOString(), actor: request.actor, policy };
  return httpCommand(request, advisories, id, command, ctx, {
    status: answer.status,
    body: advisoryAnswer,
    ...(answer.location ? { location: (state: AdvisoryState) => `/advisories/${state.id}` } : {}),
  });
}

/** A new advisory's id. */
export const newAdvisoryId = () => randomUUID();
