import { drillBody } from '../events/advisory/body.ts';
import { issueCommand } from './http/advisory-fork-http.ts';
import { httpHandler } from './http/http.ts';

/**
 * POST /drills: an advisory marked as an exercise, on the same code path as a real one (its `Location` the
 * drill's report). With `sectors`, NISC (or a ministry, to its sectors) starts one drill in several sectors
 * or all: a fork, as POST /advisories makes, each sector's chain a drill (its report at
 * /drills/{child}/report, the parent's per-sector and overall one-day rates at /advisories/{id}).
 */
export const handler = httpHandler(
  { allow: ['secretariat', 'ministry', 'nisc'], body: drillBody() },
  (request) => issueCommand(request, { ...request.body, drill: true }, { drillReport: true }),
);
