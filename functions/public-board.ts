import { boardPage } from './commons/board.ts';
import { pageLimit } from './commons/paging.ts';
import { publicHandler } from './commons/public-http.ts';
import { reader } from './commons/reader.ts';

/** GET /public/board: the TLP:CLEAR advisories, for anyone, without a token. */
export const handler = publicHandler(async (event) => {
  const query = event.queryStringParameters ?? {};
  return {
    status: 200,
    body: await boardPage(reader, null, pageLimit(query.limit, 50, 200), query.cursor ?? null),
  };
});
