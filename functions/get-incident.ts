import { NotFoundError } from '../events/errors.ts';
import { canSee, incidentView } from '../events/incident/visibility.ts';
import { incidents } from './aggregates/incidents.ts';
import { httpHandler } from './http/http.ts';
import { incidentIdFrom } from './http/incident-id.ts';
import { loadAggregate } from './store/command-runner.ts';
import { reader } from './store/reader.ts';

/** GET /incidents/{id}: the incident's current state, hops, deadlines, escalations and reporting stages. */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const { state } = await loadAggregate(reader, incidents, incidentIdFrom(request));
    if (state === null || !canSee(state, request.actor)) throw new NotFoundError('no such incident');
    return { status: 200, body: incidentView(state, new Date().toISOString()) };
  },
);
