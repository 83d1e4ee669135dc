import { planId, planInputSchema, planView } from '../events/activity/plan.ts';
import { plans } from './aggregates/activities.ts';
import { httpHandler } from './http/http.ts';
import { reportPathParams } from './reports/report-params.ts';
import { runCommand } from './store/command-runner.ts';
import { store } from './store/store.ts';

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
