import type { Actor } from '../../events/actor.ts';
import { IllegalStateError } from '../../events/errors.ts';
import { EXERCISE_MARK, type ExerciseEvent, type ExerciseState } from '../../events/exercise/exercise.ts';
import type { Recorded } from '../../events/incident/incident.ts';
import { ministryOf, ministryOrgId } from '../../events/sector/catalog.ts';
import { advisories } from '../aggregates/advisories.ts';
import { incidents } from '../aggregates/incidents.ts';
import { injectSubjectId } from '../exercises/exercise-subject.ts';
import { loadRoster } from '../http/advisory-http.ts';
import { policy, reportingPreset } from '../runtime/policy-config.ts';
import { runCommand } from '../store/command-runner.ts';
import type { EventStore } from '../store/event-store.ts';
import type { RelayWorkflow } from '../workflow/workflow.ts';

/**
 * The reactions to one committed exercise event (stream-reactor): the start starts the exercise
 * workflow, the end answers its wait, and a released inject becomes its incident or advisory.
 * Safe to run more than once: the subject's id is derived from the exercise's and the inject's, so
 * a repeat finds the stream already there and appends nothing.
 */
export async function reactToExercise(
  event: Recorded<ExerciseEvent>,
  state: ExerciseState,
  workflow: RelayWorkflow,
  store: EventStore,
  now: string,
): Promise<void> {
  switch (event.type) {
    case 'ExerciseStarted':
      await workflow.start(state.id, { exerciseId: state.id });
      return;
    case 'ExerciseEnded':
      if (state.taskToken) await workflow.resume(state.taskToken, { exerciseId: state.id, ended: true });
      return;
    case 'InjectReleased':
      await releaseInject(state, event.data.injectId, store, now);
      return;
    case 'ExercisePrepared':
    case 'ExerciseWaitStarted':
      return;
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

const alreadyThere = (error: unknown) => error instanceof IllegalStateError;

/** The inject's scripted incident (reported as its member) or advisory (issued as NISC or the ministry), marked as the exercise's. */
async function releaseInject(state: ExerciseState, injectId: string, store: EventStore, now: string) {
  const inject = state.injects.find((i) => i.id === injectId);
  const released = state.released[injectId];
  if (!inject || !released) return;
  const id = injectSubjectId(state.id, injectId);
  // The scenario acts as the organisation the inject comes from; its sub names the exercise, so the log tells it apart.
  const sub = `exercise:${state.id}`;
  try {
    if (inject.kind === 'incident') {
      const actor: Actor = { kind: 'user', sub, role: 'member', org: inject.from, sector: inject.sector };
      await runCommand(
        store,
        incidents,
        id,
        {
          type: 'ReportIncident',
          data: {
            incidentId: id,
            exerciseId: state.id,
            report: {
              title: `${EXERCISE_MARK}${inject.title}`,
              description: `${EXERCISE_MARK}${inject.body}`,
              category: inject.category,
              severity: inject.severity,
              occurredAt: released.at,
              detectedAt: released.at,
              affectedSystems: inject.affectedSystems,
              tlp: inject.tlp,
              contact: inject.contact,
            },
          },
        },
        { now, actor, policy, reporting: reportingPreset },
      );
    } else {
      const actor: Actor =
        inject.from === 'nisc'
          ? { kind: 'user', sub, role: 'nisc', org: 'nisc' }
          : { kind: 'user', sub, role: 'ministry', org: ministryOrgId(ministryOf[inject.sector]) };
      const audience = state.participants
        .filter((p) => p.sector === inject.sector && p.kind === 'member')
        .map((p) => p.org);
      await runCommand(
        store,
        advisories,
        id,
        {
          type: 'IssueAdvisory',
          data: {
            advisoryId: id,
            exerciseId: state.id,
            sector: inject.sector,
            title: inject.title,
            body: inject.body,
            tlp: inject.tlp,
            severity: inject.severity,
            ackWithinHours: inject.ackWithinHours,
            audience,
            drill: true,
            roster: await loadRoster(store, inject.sector),
          },
        },
        { now, actor, policy },
      );
    }
  } catch (error) {
    if (!alreadyThere(error)) throw error;
  }
}
