import type { DecisionContext, IncidentCommand } from '../../events/incident/decide.ts';
import type { IncidentState } from '../../events/incident/incident.ts';
import { incidents } from '../aggregates/incidents.ts';
import { policy, reportingPreset } from '../runtime/policy-config.ts';
import type { HttpRequest, HttpResponse } from './http.ts';
import { httpCommand } from './http-command.ts';

export { incidentIdFrom } from './incident-id.ts';

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
  answer: { status: number; location?: boolean; newStream?: boolean },
  clocks: Pick<DecisionContext, 'reporting' | 'sectorPolicy'> = { reporting: reportingPreset },
): Promise<HttpResponse> {
  const ctx: DecisionContext = {
    now: new Date().toISOString(),
    actor: request.actor,
    policy,
    ...clocks,
  };
  return httpCommand(request, incidents, id, command, ctx, {
    status: answer.status,
    body: commandAnswer,
    ...(answer.newStream ? { newStream: true } : {}),
    ...(answer.location ? { location: (state: IncidentState) => `/incidents/${state.id}` } : {}),
  });
}
