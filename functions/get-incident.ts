import { NotFoundError } from '../events/errors.ts';
import { canSee, incidentView } from '../events/incident/visibility.ts';
import { loadAggregate } from './commons/command-runner.ts';
import { httpHandler } from './commons/http.ts';
import { incidentIdFrom } from './commons/incident-http.ts';
import { incidents } from './commons/incidents.ts';
import { store } from './commons/store.ts';

/** GET /incidents/{id}: the incident's current state, hops, deadlines and escalations. */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const { state } = await loadAggregate(store, incidents, incidentIdFrom(request));
    if (state === null || !canSee(state, request.actor)) throw new NotFoundError('no such incident');
    return { status: 200, body: incidentView(state) };
  },
);
