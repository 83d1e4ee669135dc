import { boardPage } from './aggregates/board.ts';
import { sectorParam } from './audit/sector-lists.ts';
import { httpHandler } from './http/http.ts';
import { pageLimit } from './http/paging.ts';
import { reader } from './store/reader.ts';

/** GET /board: the electronic bulletin board, the advisories the caller may see, newest first, paged. */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => ({
    status: 200,
    body: await boardPage(
      reader,
      request.actor,
      pageLimit(request.query.limit, 50, 200),
      request.query.cursor ?? null,
      sectorParam(request.query.sector),
    ),
  }),
);
