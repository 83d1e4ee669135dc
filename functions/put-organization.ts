import { organizationSchema, orgId } from '../events/directory/directory.ts';
import { ValidationError } from '../events/errors.ts';
import { runCommand } from './commons/command-runner.ts';
import { httpHandler } from './commons/http.ts';
import { organizations } from './commons/organizations.ts';
import { store } from './commons/store.ts';

/** PUT /directory/organizations/{org}: the secretariat sets an organisation's entry; each change is an event. */
export const handler = httpHandler(
  { allow: ['secretariat'], body: organizationSchema() },
  async (request) => {
    const parsed = orgId.safeParse(request.params.org);
    if (!parsed.success)
      throw new ValidationError('invalid organisation id', [{ path: 'org', message: 'invalid' }]);
    const org = parsed.data;
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
