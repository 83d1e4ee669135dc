import { planId, planView } from '../events/activity/plan.ts';
import { plans } from './commons/activities.ts';
import { loadAggregate } from './commons/command-runner.ts';
import { httpHandler } from './commons/http.ts';
import { reader } from './commons/reader.ts';
import { reportPathParams } from './reports/report-params.ts';

/** GET /reports/{sector}/{fy}/plan: next year's plan as drafted so far (empty before the first save). */
export const handler = httpHandler(
  { allow: ['secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const { sector, fy } = reportPathParams(request);
    const { state } = await loadAggregate(reader, plans, planId(sector, fy));
    return { status: 200, body: planView(sector, fy, state) };
  },
);
