import type { DecisionContext, IncidentCommand } from '../../events/incident/decide.ts';
import type { IncidentState } from '../../events/incident/incident.ts';
import { runCommand } from './command-runner.ts';
import type { HttpRequest, HttpResponse } from './http.ts';
import { policy } from './policy-config.ts';

export { incidentIdFrom } from './incident-id.ts';

import { once, requestHash } from './idempotency.ts';
import { incidents } from './incidents.ts';
import { store } from './store.ts';

/** The short answer to a command: where the incident now stands. */
export const commandAnswer = (state: IncidentState, version: number) => ({
  id: state.id,
  status: state.status,
  version,
});

/**
 * Runs a person's command on an incident over HTTP, idempotent per Idempotency-Key. On a
 * concurrent append it reloads and decides again: deliveries and workflow records land on
 * the stream all the time and must not bounce a person's command, while a competing
 * decision makes the re-decision fail with 409 (the relay is no longer in that state).
 */
export async function incidentCommand(
  request: HttpRequest<unknown>,
  id: string,
  command: IncidentCommand,
  answer: { status: number; location?: boolean },
): Promise<HttpResponse> {
  const ctx: DecisionContext = { now: new Date().toISOString(), actor: request.actor, policy };
  const route = `${request.event.requestContext.http.method} ${request.event.rawPath}`;
  const respond = ({ state, version }: { state: IncidentState | null; version: number }) => {
    if (state === null) throw new Error('a command left no incident behind');
    return {
      statusCode: answer.status,
      body: commandAnswer(state, version),
      ...(answer.location ? { location: `/incidents/${state.id}` } : {}),
    };
  };
  const response = await once(
    store,
    { scope: request.actor.sub, key: request.idempotencyKey, hash: requestHash(route, request.body) },
    async (idempotency) => {
      const result = await runCommand(store, incidents, id, command, ctx, {
        retryOnConflict: true,
        ...(idempotency ? { idempotency: { ...idempotency, respond } } : {}),
      });
      return respond(result);
    },
  );
  return {
    status: response.statusCode,
    body: response.body,
    headers: {
      ...(response.location ? { location: response.location } : {}),
      ...(response.replayed ? { 'idempotent-replayed': 'true' } : {}),
    },
  };
}
