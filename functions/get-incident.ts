import { NotFoundError } from '../events/errors.ts';
import { canSee, incidentView } from '../events/incident/visibility.ts';
import { loadAggregate } from './commons/command-runner.ts';
import { httpHandler } from './commons/http.ts';
import { incidentIdFrom } from './commons/incident-id.ts';
import { incidents } from './commons/incidents.ts';
import { reader } from './commons/reader.ts';

/** GET /incidents/{id}: the incident's current state, hops, deadlines, escalations and reporting stages. */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const { state } = await loadAggregate(reader, incidents, incidentIdFrom(request));
    if (state === null || !canSee(state, request.actor)) throw new NotFoundError('no such incident');
    return { status: 200, body: incidentView(state, new Date().toISOString()) };
  },
);
