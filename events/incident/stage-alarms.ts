import { presetOf, stageAlarms } from '../reporting.ts';
import { DONE, type WaitPlan, waitUntil } from '../workflow-plan.ts';
import type { IncidentEvent, IncidentState, MaybeIncident, StageWait } from './incident.ts';
import { incidentStages } from './visibility.ts';

/*
 * The reminders and escalations of an incident's reporting stages (events/reporting.ts: stageAlarms
 * gives their instants), decided from the state alone. Pure: `now` comes in.
 *
 * - Only a running, unsubmitted stage of an open incident has alarms: nothing once the stage is
 *   submitted or the incident closed, nothing while its clock has not started, nothing for an
 *   exercise's scripted incident.
 * - An alarm is for what falls due while the relay knows of the stage's clock: one whose instant had
 *   passed when the incident was reported (or, for a ransom clock, when the payment was stated) is not
 *   sent late. The incident page shows such a stage overdue all the same.
 * - Each alarm is recorded once. When several of a stage's alarms are due at once (the workflow woke
 *   late), only the latest is recorded: the escalation supersedes the reminders before it, a later
 *   reminder the earlier ones. After its escalation a stage has no further alarm.
 */

/**
 * A cross-sector exercise's scripted incident has no stage alarms: the after-action report measures
 * its participants against the scenario's expected actions, and reminders days after the exercise
 * ended would reach the members' real contacts outside it. (A drill outside an exercise keeps them,
 * marked 【訓練】 as all its messages are.)
 */
const isExerciseIncident = (state: IncidentState): boolean => state.exerciseId !== undefined;

/**
 * The longest the workflow waits at once (7 days): when no alarm is pending but a stage's clock may
 * still start, or the next alarm lies further ahead, it waits this long and plans again. (A timer of
 * a year would also overflow the local endpoint's timers.)
 */
export const REPLAN_WAIT_MS = 7 * 24 * 3_600_000;

/** One pending alarm of a stage. */
export interface PendingAlarm {
  readonly stage: string;
  readonly kind: 'reminder' | 'escalation';
  readonly at: string;
  readonly dueAt: string;
}

const latest = (isos: readonly (string | null)[]) =>
  isos.reduce<string | null>(
    (max, t) => (t !== null && (max === null || Date.parse(t) > Date.parse(max)) ? t : max),
    null,
  );

/**
 * Every alarm still to come of every stage, earliest first (ties: preset order, reminders before
 * escalations). Empty for a closed incident. Reads no clock: what is pending follows from the log.
 */
export function pendingStageAlarms(state: IncidentState): PendingAlarm[] {
  if (state.status === 'closed' || isExerciseIncident(state)) return [];
  const preset = presetOf(state);
  const { stages } = incidentStages(state, state.updatedAt);
  const pending: PendingAlarm[] = [];
  preset.stages.forEach((stage, i) => {
    const clock = stages[i];
    if (clock === undefined || clock.dueAt === null) return;
    const { reminders, escalateAt } = stageAlarms(stage, clock);
    if (escalateAt === null) return;
    if (state.stageEscalations.some((e) => e.stage === stage.id)) return;
    // When the relay learned of this clock: the report, or the follow-up that stated the ransom payment.
    const knownAt = latest([
      state.createdAt,
      clock.startedAt,
      stage.clock.from === 'ransomPaidAt' ? state.ransomStatedAt : null,
    ]);
    const reminded = state.stageReminders.filter((r) => r.stage === stage.id).map((r) => r.at);
    const floor = Date.parse(latest([knownAt, ...reminded]) ?? state.createdAt);
    const dueAt = clock.dueAt;
    for (const at of reminders)
      if (Date.parse(at) > floor) pending.push({ stage: stage.id, kind: 'reminder', at, dueAt });
    if (Date.parse(escalateAt) > Date.parse(knownAt ?? state.createdAt))
      pending.push({ stage: stage.id, kind: 'escalation', at: escalateAt, dueAt });
  });
  // A stable sort keeps the preset's order, and a stage's reminders before its escalation, on ties.
  return pending.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** The instant of the next alarm of any stage, or null when none is pending. */
export function nextStageAlarm(state: IncidentState): string | null {
  return pendingStageAlarms(state)[0]?.at ?? null;
}

/** Whether a stage may still start its clock: unsubmitted and waiting on what starts it. */
function clockMayStart(state: IncidentState): boolean {
  if (state.status === 'closed' || isExerciseIncident(state)) return false;
  return incidentStages(state, state.updatedAt).stages.some(
    (s) => s.submittedAt === null && s.startedAt === null,
  );
}

/** Whether the stage-alarm workflow has anything left to do: an alarm pending, or a clock that may start. */
export function stageWorkPending(state: IncidentState): boolean {
  return pendingStageAlarms(state).length > 0 || clockMayStart(state);
}

/**
 * The events recording the alarms due at `now`: per stage, its escalation if due, else its latest
 * due reminder. [] when none is due (a repeated or early timeout).
 */
export function dueStageAlarms(state: IncidentState, now: string): IncidentEvent[] {
  const due = pendingStageAlarms(state).filter((a) => Date.parse(a.at) <= Date.parse(now));
  const byStage = new Map<string, PendingAlarm>();
  for (const alarm of due) {
    const seen = byStage.get(alarm.stage);
    // Later wins; at the same instant the escalation (listed after the reminder) wins.
    if (seen === undefined || Date.parse(alarm.at) >= Date.parse(seen.at)) byStage.set(alarm.stage, alarm);
  }
  return [...byStage.values()].map(({ stage, kind, at, dueAt }) => ({
    type: kind === 'escalation' ? 'StageEscalated' : 'StageReminderDue',
    data: { stage, at, dueAt },
  }));
}

/** What the stage-alarm workflow does next. */
export type StagePlan = WaitPlan<StageWait>;

/**
 * Plans the stage-alarm workflow's next wait: `alarm`, until the next alarm (a past one times out at
 * once); `replan`, a bounded wait after which it plans again, when the next alarm lies beyond
 * {@link REPLAN_WAIT_MS} or none is pending while a stage's clock may still start (the stage it
 * runs from, a ransom payment); else done (the incident is closed, every stage is submitted, or
 * escalated with no clock left to start).
 */
export function planStageAlarms(state: MaybeIncident, now: string): StagePlan {
  if (state === null || !stageWorkPending(state)) return DONE;
  const attempt = state.stageReminders.length + state.stageEscalations.length;
  const next = nextStageAlarm(state);
  const bound = Date.parse(now) + REPLAN_WAIT_MS;
  if (next !== null && Date.parse(next) <= bound) return waitUntil('alarm', attempt, next, now);
  return waitUntil('replan', attempt, new Date(bound).toISOString(), now);
}

/**
 * Whether the stage-alarm workflow's current wait was planned on what the log no longer says:
 * nothing is left to do; or an alarm is now pending before the wait ends (a ransom payment started a
 * clock); or the alarm it waits for is no longer the next one (its stage was submitted). The stream
 * reactor then answers its token, so the workflow plans again (waking early records nothing).
 */
export function stageWaitStale(state: IncidentState): boolean {
  const wait = state.stageWait;
  if (wait === null) return false;
  if (!stageWorkPending(state)) return true;
  const next = nextStageAlarm(state);
  if (next !== null && Date.parse(next) < Date.parse(wait.dueAt)) return true;
  return wait.wait === 'alarm' && next !== wait.dueAt;
}
