import type { Recorded } from '../events/incident/incident.ts';
import type { SurveyEvent } from '../events/survey/survey.ts';
import { loadAllSurveys, loadResponses, surveys } from '../functions/aggregates/surveys.ts';
import type { Notifier, OutboundNotification } from '../functions/notify/notifier.ts';
import { type SurveyReactionDeps, surveyMessagesFor } from '../functions/reactions/survey-reactions.ts';
import type { EventReader } from '../functions/store/event-store.ts';
import type { RelayWorkflow } from '../functions/workflow/workflow.ts';

/**
 * After a restart of the local stack, what lived only in memory for the open surveys (they are few:
 * every head is read), as resumeAdvisories does for advisories:
 * - a survey whose reminders are not recorded yet gets a new workflow execution that plans from the
 *   log (the local Step Functions endpoint forgets executions, AWS does not);
 * - the invitations and reminders its events called for that no response stream records are
 *   published again (fauxqs keeps no queue on disk).
 */
export async function resumeSurveys(options: {
  store: EventReader;
  workflow: RelayWorkflow;
  notifier: Notifier;
  deps: Pick<SurveyReactionDeps, 'directory' | 'publicUrl'>;
  now?: () => number;
}): Promise<{ resumed: number; republished: number }> {
  const stamp = (options.now ?? Date.now)();
  let resumed = 0;
  let republished = 0;
  for (const state of await loadAllSurveys(options.store)) {
    if (state.status !== 'open') continue;
    if (state.remindedAt === undefined) {
      await options.workflow.start(`${state.id}-resume-${stamp}`, { surveyId: state.id });
      resumed++;
    }
    const recorded = new Set(
      (await loadResponses(options.store, state.id)).flatMap((r) => (r.deliveries ?? []).map((d) => d.key)),
    );
    const missing: OutboundNotification[] = [];
    for await (const stored of options.store.readEvents(surveys.streamId(state.id))) {
      const event = surveys.upcast(stored) as Recorded<SurveyEvent>;
      for (const m of await surveyMessagesFor(event, state, options.deps))
        if (!recorded.has(m.key)) missing.push(m);
    }
    if (missing.length > 0) await options.notifier.publish(missing);
    republished += missing.length;
  }
  return { resumed, republished };
}
