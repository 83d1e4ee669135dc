import { upcasterRegistry } from '../upcast.ts';

/**
 * Incident event schemas: 0 was the pilot release's, 1 is current.
 * - IncidentReported v0 had no `reportedBy`: the reporter was the actor who recorded it.
 * - HopDeadlineMissed v0 called the escalation's number `attempt`.
 */
export const incidentUpcasters = upcasterRegistry(1, [
  {
    type: 'IncidentReported',
    from: 0,
    up: (data, ctx) => ({ ...(data as object), reportedBy: ctx.actor.sub }),
  },
  {
    type: 'HopDeadlineMissed',
    from: 0,
    up: (data) => {
      const { attempt, ...rest } = data as { attempt: number };
      return { ...rest, escalation: attempt };
    },
  },
]);
