import { boardPage } from './aggregates/board.ts';
import { pageLimit } from './http/paging.ts';
import { publicHandler } from './http/public-http.ts';
import { reader } from './store/reader.ts';

/** GET /public/board: the TLP:CLEAR advisories, for anyone, without a token. */
export const handler = publicHandler(async (event) => {
  const query = event.queryStringParameters ?? {};
  return {
    status: 200,
    body: await boardPage(reader, null, pageLimit(query.limit, 50, 200), query.cursor ?? null),
  };
});
