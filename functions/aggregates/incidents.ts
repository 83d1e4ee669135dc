import type { Actor } from '../../events/actor.ts';
import { type DecisionContext, decide, type IncidentCommand } from '../../events/incident/decide.ts';
import {
  currentHop,
  decisionState,
  evolve,
  type IncidentEvent,
  type IncidentState,
  initialState,
  type MaybeIncident,
  type Recorded,
} from '../../events/incident/incident.ts';
import { notificationsFor } from '../../events/incident/notifications.ts';
import { stageWorkPending } from '../../events/incident/stage-alarms.ts';
import { incidentUpcasters } from '../../events/incident/upcast.ts';
import { incidentListing } from '../../events/incident/visibility.ts';
import { sectorOr, sectorPartition } from '../../events/sector/catalog.ts';
import type { Aggregate } from '../store/command-runner.ts';
import type { StoredEvent } from '../store/event-store.ts';

/** The byType partition of incidents, before the sector (events/sector/catalog.ts, sectorPartition). */
export const INCIDENT_LIST = 'incident';

/** Whether the relay waits on a hop (its workflow runs). */
export const relayOpen = (state: IncidentState): boolean =>
  currentHop(state.status) !== null && state.stalledHop === null;

/** The incident aggregate bound to the event store: stream ids, snapshots and list indexes. */
export const incidents: Aggregate<MaybeIncident, IncidentEvent, IncidentCommand, DecisionContext> = {
  streamType: 'incident',
  // 2: the state gained the reporting stages; 3: their reminders, escalations and the stage-alarm wait.
  // A head of an older schema is folded again from the first event.
  stateSchema: 3,
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
      // A relay waiting on a hop, or reporting stages with alarms to come: their workflow executions
      // are what a restart of the local stack loses.
      open: relayOpen(state) || stageWorkPending(state),
      // Listed by a list item of this (a few hundred bytes): the indexes never copy the follow-ups' text.
      listing: incidentListing(state),
    };
  },
  awaiting: (pending, event, state) => {
    if (event.type === 'NotificationDelivered' || event.type === 'NotificationFailed') {
      const tag = noticeTag(event.data.key);
      return pending.filter((t) => t !== tag);
    }
    if (state === null) return [...pending];
    return [...pending, ...notificationsFor(event, state).map((plan) => `${event.version}:${plan.purpose}`)];
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

/** The notice a message key belongs to: `<version>:<purpose>` of `<version>:<purpose>:<contact>:<channel>`. */
export const noticeTag = (key: string): string => key.split(':', 2).join(':');
