import { forwardBody } from '../events/advisory/body.ts';
import { canSeeAdvisory } from '../events/advisory/visibility.ts';
import { NotFoundError } from '../events/errors.ts';
import { sectorOr } from '../events/sector/catalog.ts';
import { advisories } from './aggregates/advisories.ts';
import { advisoryCommand, advisoryIdFrom, loadRoster } from './http/advisory-http.ts';
import { httpHandler } from './http/http.ts';
import { loadAggregate } from './store/command-runner.ts';
import { reader } from './store/reader.ts';

/** POST /advisories/{id}/forward: the ministry, then the secretariat, passes the advisory down, with an optional note. */
export const handler = httpHandler(
  { allow: ['ministry', 'secretariat'], body: forwardBody() },
  async (request) => {
    const id = advisoryIdFrom(request);
    // The roster is the advisory's sector's; another sector's advisory is 404 (the decision says so too).
    const { state } = await loadAggregate(reader, advisories, id);
    if (state === null || !canSeeAdvisory(state, request.actor)) throw new NotFoundError('no such advisory');
    const roster = await loadRoster(reader, sectorOr(state.sector));
    return advisoryCommand(
      request,
      id,
      { type: 'ForwardAdvisory', data: { note: request.body.note, roster } },
      { status: 200 },
    );
  },
);
