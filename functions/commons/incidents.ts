import type { Actor } from '../../events/actor.ts';
import { type DecisionContext, decide, type IncidentCommand } from '../../events/incident/decide.ts';
import {
  decisionState,
  evolve,
  type IncidentEvent,
  initialState,
  type MaybeIncident,
  type Recorded,
} from '../../events/incident/incident.ts';
import { incidentUpcasters } from '../../events/incident/upcast.ts';
import { sectorOr, sectorPartition } from '../../events/sector/catalog.ts';
import type { Aggregate } from './command-runner.ts';
import type { StoredEvent } from './event-store.ts';

/** The byType partition of incidents, before the sector (events/sector/catalog.ts, sectorPartition). */
export const INCIDENT_LIST = 'incident';

/** The incident aggregate bound to the event store: stream ids, snapshots and list indexes. */
export const incidents: Aggregate<MaybeIncident, IncidentEvent, IncidentCommand, DecisionContext> = {
  streamType: 'incident',
  stateSchema: 1,
  eventSchema: 1,
  streamId: (id) => `incident#${id}`,
  initialState,
  evolve,
  decide,
  decisionState,
  project: (state) => {
    if (state === null) throw new Error('cannot index an incident that does not exist');
    const visibleTo = [
      ...(state.hops.ministry.startedAt ? ['ministry'] : []),
      ...(state.hops.nisc.startedAt ? ['nisc'] : []),
    ];
    return {
      // One partition per sector (chemical's is the one there was before sectors): a list is one Query.
      listPk: sectorPartition(INCIDENT_LIST, sectorOr(state.sector)),
      listSk: `${state.createdAt}#${state.id}`,
      orgPk: `org#${state.org}`,
      visibleTo,
    };
  },
  // Older schemas are lifted by events/incident/upcast.ts.
  upcast: (stored: StoredEvent) =>
    ({
      type: stored.type,
      data: incidentUpcasters.upcast(stored.data, stored.schemaVersion, {
        type: stored.type,
        recordedAt: stored.recordedAt,
        actor: stored.actor,
      }),
      version: stored.version,
      recordedAt: stored.recordedAt,
      actor: stored.actor as Actor,
    }) as Recorded<IncidentEvent>,
};
