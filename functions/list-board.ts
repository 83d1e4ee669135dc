import { boardPage } from './commons/board.ts';
import { httpHandler } from './commons/http.ts';
import { pageLimit } from './commons/paging.ts';
import { reader } from './commons/reader.ts';
import { sectorParam } from './commons/sector-lists.ts';

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
