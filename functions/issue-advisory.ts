import { issueAdvisoryBody } from '../events/advisory/body.ts';
import { advisoryCommand, issuingSector, loadRoster, newAdvisoryId } from './commons/advisory-http.ts';
import { httpHandler } from './commons/http.ts';
import { reader } from './commons/reader.ts';

/** POST /advisories: NISC, the ministry or the secretariat issues an advisory; it starts down the chain from there. */
export const handler = httpHandler(
  { allow: ['nisc', 'ministry', 'secretariat'], body: issueAdvisoryBody },
  async (request) => {
    const advisoryId = newAdvisoryId();
    const sector = issuingSector(request.actor, request.body.sector);
    return advisoryCommand(
      request,
      advisoryId,
      {
        type: 'IssueAdvisory',
        data: { advisoryId, ...request.body, sector, roster: await loadRoster(reader, sector) },
      },
      { status: 201, location: true },
    );
  },
);
