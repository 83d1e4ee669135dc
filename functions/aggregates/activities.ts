import {
  type ActivityCommand,
  type ActivityEvent,
  decideActivity,
  evolveActivity,
  initialActivity,
  type MaybeActivity,
} from '../../events/activity/activity.ts';
import {
  decidePlan,
  evolvePlan,
  initialPlan,
  type MaybePlan,
  type PlanCommand,
  type PlanEvent,
} from '../../events/activity/plan.ts';
import type { Actor } from '../../events/actor.ts';
import { sectorPartition } from '../../events/sector/catalog.ts';
import type { Aggregate } from '../store/command-runner.ts';
import { upcastV1 } from '../store/upcast.ts';

/** The byType partition of activities, before the sector: one Query lists a sector's. */
export const ACTIVITY_LIST = 'activity';

/** A secretariat's recorded activity (WG meeting, exchange, council, report), one stream each. */
export const activities: Aggregate<
  MaybeActivity,
  ActivityEvent,
  ActivityCommand,
  { now: string; actor: Actor }
> = {
  streamType: 'activity',
  stateSchema: 1,
  eventSchema: 1,
  streamId: (id) => `activity#${id}`,
  initialState: initialActivity,
  evolve: evolveActivity,
  decide: decideActivity,
  project: (state) => {
    if (state === null) throw new Error('cannot index an activity that does not exist');
    return { listPk: sectorPartition(ACTIVITY_LIST, state.sector), listSk: `${state.date}#${state.id}` };
  },
  upcast: (stored) => upcastV1<ActivityEvent>(stored),
};

/** Next year's plan of a sector's fiscal-year report: `plan#<sector>#<fy>`. */
export const plans: Aggregate<MaybePlan, PlanEvent, PlanCommand, { now: string; actor: Actor }> = {
  streamType: 'plan',
  stateSchema: 1,
  eventSchema: 1,
  streamId: (id) => `plan#${id}`,
  initialState: initialPlan,
  evolve: evolvePlan,
  decide: decidePlan,
  project: (state) => {
    if (state === null) throw new Error('cannot index a plan that does not exist');
    return { listPk: 'plan', listSk: `${state.sector}#${state.fiscalYear}` };
  },
  upcast: (stored) => upcastV1<PlanEvent>(stored),
};
