import { drillBody } from '../events/advisory/body.ts';
import { forkCommand } from './http/advisory-fork-http.ts';
import { advisoryCommand, issuingSector, loadRoster, newAdvisoryId } from './http/advisory-http.ts';
import { httpHandler } from './http/http.ts';
import { reader } from './store/reader.ts';

/**
 * POST /drills: an advisory marked as an exercise, on the same code path as a real one. With `sectors`,
 * NISC (or a ministry, to its sectors) starts one drill in several sectors or all: a fork, as
 * POST /advisories makes, each sector's chain a drill (its report at /drills/{child}/report, the
 * parent's per-sector and overall one-day rates at /advisories/{id}).
 */
export const handler = httpHandler(
  { allow: ['secretariat', 'ministry', 'nisc'], body: drillBody },
  async (request) => {
    const advisoryId = newAdvisoryId();
    const { sectors, ...body } = request.body;
    if (sectors !== undefined) return forkCommand(request, advisoryId, { ...body, sectors, drill: true });
    const sector = issuingSector(request.actor, body.sector);
    const response = await advisoryCommand(
      request,
      advisoryId,
      {
        type: 'IssueAdvisory',
        data: { advisoryId, ...body, sector, drill: true, roster: await loadRoster(reader, sector) },
      },
      { status: 201, location: true },
    );
    return { ...response, headers: { ...response.headers, location: `/drills/${advisoryId}/report` } };
  },
);
