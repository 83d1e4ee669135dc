import { issueAdvisoryBody } from '../events/advisory/body.ts';
import { advisoryCommand, loadRoster, newAdvisoryId } from './commons/advisory-http.ts';
import { httpHandler } from './commons/http.ts';
import { reader } from './commons/reader.ts';

/** POST /advisories: NISC, the ministry or the secretariat issues an advisory; it starts down the chain from there. */
export const handler = httpHandler(
  { allow: ['nisc', 'ministry', 'secretariat'], body: issueAdvisoryBody },
  async (request) => {
    const advisoryId = newAdvisoryId();
    return advisoryCommand(
      request,
      advisoryId,
      { type: 'IssueAdvisory', data: { advisoryId, ...request.body, roster: await loadRoster(reader) } },
      { status: 201, location: true },
    );
  },
);
