import { organizationSchema } from '../events/directory/directory.ts';
import { organizations, orgIdFrom } from './aggregates/organizations.ts';
import { httpHandler } from './http/http.ts';
import { runCommand } from './store/command-runner.ts';
import { store } from './store/store.ts';

/** PUT /directory/organizations/{org}: the secretariat sets an organisation's entry; each change is an event. */
export const handler = httpHandler(
  { allow: ['secretariat'], body: organizationSchema() },
  async (request) => {
    const org = orgIdFrom(request.params);
    const result = await runCommand(
      store,
      organizations,
      org,
      { type: 'PutOrganization', data: { org, entry: request.body } },
      { now: new Date().toISOString(), actor: request.actor },
      { retryOnConflict: true },
    );
    return {
      status: result.version === result.events.length ? 201 : 200,
      body: { org, ...result.state?.entry, version: result.version, changed: result.events.length > 0 },
    };
  },
);
