import { planId, planInputSchema, planView } from '../events/activity/plan.ts';
import { plans } from './commons/activities.ts';
import { runCommand } from './commons/command-runner.ts';
import { httpHandler } from './commons/http.ts';
import { store } from './commons/store.ts';
import { reportPathParams } from './reports/report-params.ts';

/** PUT /reports/{sector}/{fy}/plan: the secretariat saves the draft of next year's plan (each change an event). */
export const handler = httpHandler({ allow: ['secretariat'], body: planInputSchema() }, async (request) => {
  const { sector, fy } = reportPathParams(request);
  const result = await runCommand(
    store,
    plans,
    planId(sector, fy),
    { type: 'SavePlanDraft', data: { sector, fiscalYear: fy, sections: request.body.sections } },
    { now: new Date().toISOString(), actor: request.actor },
    { retryOnConflict: true },
  );
  return { status: 200, body: { ...planView(sector, fy, result.state), changed: result.events.length > 0 } };
});
