import { canSeeEntry } from '../events/directory/directory.ts';
import { NotFoundError } from '../events/errors.ts';
import { organizations, orgIdFrom } from './aggregates/organizations.ts';
import { httpHandler } from './http/http.ts';
import { loadAggregate } from './store/command-runner.ts';
import { reader } from './store/reader.ts';

/**
 * GET /directory/organizations/{org}: an organisation's directory entry, for the secretariat, the
 * ministry, NISC and auditors of its sector (another sector's organisation is 404).
 */
export const handler = httpHandler(
  { allow: ['secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    // Checked before it reaches a key: an id of thousands of characters is no organisation (400), not a 500.
    const org = orgIdFrom(request.params);
    const { state } = await loadAggregate(reader, organizations, org);
    if (state === null || !canSeeEntry(request.actor, org, state.entry))
      throw new NotFoundError('no such organisation');
    return { status: 200, body: { org, ...state.entry, updatedAt: state.updatedAt, version: state.version } };
  },
);
