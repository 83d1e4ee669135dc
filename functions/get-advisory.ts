import { canSeeFork, forkView } from '../events/advisory/fork.ts';
import { advisoryView, canSeeAdvisory } from '../events/advisory/visibility.ts';
import { NotFoundError } from '../events/errors.ts';
import { advisories, loadRecipients } from './aggregates/advisories.ts';
import { forks, loadForkChildren } from './aggregates/advisory-forks.ts';
import { advisoryIdFrom } from './http/advisory-id.ts';
import { httpHandler } from './http/http.ts';
import { loadAggregate } from './store/command-runner.ts';
import { reader } from './store/reader.ts';

/**
 * GET /advisories/{id}: the advisory as the caller's TLP rights allow; for the chain, per hop
 * and per recipient delivered when, on which channel, acknowledged when, and the rate so far.
 * The id of an advisory to several sectors answers its per-sector and overall transmission
 * (NISC, the ministry for its sectors, auditors); each sector's chain is an advisory of its own.
 */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const id = advisoryIdFrom(request);
    const { state } = await loadAggregate(reader, advisories, id);
    if (state === null) {
      // Not an advisory: perhaps an advisory to several sectors (read only then, so the usual read costs nothing more).
      const { state: fork } = await loadAggregate(reader, forks, id);
      if (fork === null || !canSeeFork(fork, request.actor)) throw new NotFoundError('no such advisory');
      return { status: 200, body: forkView(fork, request.actor, await loadForkChildren(reader, fork)) };
    }
    if (!canSeeAdvisory(state, request.actor)) throw new NotFoundError('no such advisory');
    const recipients = state.distributedAt ? await loadRecipients(reader, id) : [];
    return { status: 200, body: advisoryView(state, request.actor, recipients) };
  },
);
