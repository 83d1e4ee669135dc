import { drillBody } from '../events/advisory/body.ts';
import { advisoryCommand, issuingSector, loadRoster, newAdvisoryId } from './http/advisory-http.ts';
import { httpHandler } from './http/http.ts';
import { reader } from './store/reader.ts';

/** POST /drills: an advisory marked as an exercise, on the same code path as a real one. */
export const handler = httpHandler(
  { allow: ['secretariat', 'ministry', 'nisc'], body: drillBody },
  async (request) => {
    const advisoryId = newAdvisoryId();
    const sector = issuingSector(request.actor, request.body.sector);
    const response = await advisoryCommand(
      request,
      advisoryId,
      {
        type: 'IssueAdvisory',
        data: { advisoryId, ...request.body, sector, drill: true, roster: await loadRoster(reader, sector) },
      },
      { status: 201, location: true },
    );
    return { ...response, headers: { ...response.headers, location: `/drills/${advisoryId}/report` } };
  },
);
