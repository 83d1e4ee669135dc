import { forwardBody } from '../events/advisory/body.ts';
import { advisoryCommand, advisoryIdFrom, loadRoster } from './commons/advisory-http.ts';
import { httpHandler } from './commons/http.ts';
import { reader } from './commons/reader.ts';

/** POST /advisories/{id}/forward: the ministry, then the secretariat, passes the advisory down, with an optional note. */
export const handler = httpHandler(
  { allow: ['ministry', 'secretariat'], body: forwardBody },
  async (request) =>
    advisoryCommand(
      request,
      advisoryIdFrom(request),
      { type: 'ForwardAdvisory', data: { note: request.body.note, roster: await loadRoster(reader) } },
      { status: 200 },
    ),
);
