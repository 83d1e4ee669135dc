import { issueAdvisoryBody } from '../events/advisory/body.ts';
import { issueCommand } from './http/advisory-fork-http.ts';
import { httpHandler } from './http/http.ts';

/**
 * POST /advisories: NISC, the ministry or the secretariat issues an advisory; it starts down the chain from there.
 * With `sectors`, NISC (or a ministry, to its sectors) sends it to several sectors or all (forkCommand).
 */
export const handler = httpHandler(
  { allow: ['nisc', 'ministry', 'secretariat'], body: issueAdvisoryBody() },
  (request) => issueCommand(request, request.body),
);
