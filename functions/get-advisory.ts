import { advisoryView, canSeeAdvisory } from '../events/advisory/visibility.ts';
import { NotFoundError } from '../events/errors.ts';
import { advisories, loadRecipients } from './commons/advisories.ts';
import { advisoryIdFrom } from './commons/advisory-id.ts';
import { loadAggregate } from './commons/command-runner.ts';
import { httpHandler } from './commons/http.ts';
import { reader } from './commons/reader.ts';

/**
 * GET /advisories/{id}: the advisory as the caller's TLP rights allow; for the chain, per hop
 * and per recipient delivered when, on which channel, acknowledged when, and the rate so far.
 */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const id = advisoryIdFrom(request);
    const { state } = await loadAggregate(reader, advisories, id);
    if (state === null || !canSeeAdvisory(state, request.actor)) throw new NotFoundError('no such advisory');
    const recipients = state.distributedAt ? await loadRecipients(reader, id) : [];
    return { status: 200, body: advisoryView(state, request.actor, recipients) };
  },
);
