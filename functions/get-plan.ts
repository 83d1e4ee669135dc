import { planId, planView } from '../events/activity/plan.ts';
import { plans } from './aggregates/activities.ts';
import { httpHandler } from './http/http.ts';
import { reportPathParams } from './reports/report-params.ts';
import { loadAggregate } from './store/command-runner.ts';
import { reader } from './store/reader.ts';

/** GET /reports/{sector}/{fy}/plan: next year's plan as drafted so far (empty before the first save). */
export const handler = httpHandler(
  { allow: ['secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const { sector, fy } = reportPathParams(request);
    const { state } = await loadAggregate(reader, plans, planId(sector, fy));
    return { status: 200, body: planView(sector, fy, state) };
  },
);
