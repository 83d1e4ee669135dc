import { issueAdvisoryBody } from '../events/advisory/body.ts';
import { forkCommand } from './http/advisory-fork-http.ts';
import { advisoryCommand, issuingSector, loadRoster, newAdvisoryId } from './http/advisory-http.ts';
import { httpHandler } from './http/http.ts';
import { reader } from './store/reader.ts';

/**
 * POST /advisories: NISC, the ministry or the secretariat issues an advisory; it starts down the chain from there.
 * With `sectors`, NISC (or a ministry, to its sectors) sends it to several sectors or all (forkCommand).
 */
export const handler = httpHandler(
  { allow: ['nisc', 'ministry', 'secretariat'], body: issueAdvisoryBody },
  async (request) => {
    const advisoryId = newAdvisoryId();
    const { sectors, ...body } = request.body;
    if (sectors !== undefined) return forkCommand(request, advisoryId, { ...body, sectors });
    const sector = issuingSector(request.actor, body.sector);
    return advisoryCommand(
      request,
      advisoryId,
      {
        type: 'IssueAdvisory',
        data: { advisoryId, ...body, sector, roster: await loadRoster(reader, sector) },
      },
      { status: 201, location: true },
    );
  },
);
