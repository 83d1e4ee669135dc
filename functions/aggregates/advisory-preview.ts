import type { Actor } from '../../events/actor.ts';
import type { AdvisoryCommand, AdvisoryContext } from '../../events/advisory/decide.ts';
import { advisoryView, canSeeAdvisory } from '../../events/advisory/visibility.ts';
import type { UserActor } from '../http/http.ts';
import { booleanParam } from '../http/paging.ts';
import { policy } from '../runtime/policy-config.ts';
import { decideAndFold } from '../store/command-runner.ts';
import { advisories } from './advisories.ts';

/** `?preview=true` asks for a dry run; `false` or no parameter for the real command. */
export const previewRequested = (raw: string | undefined): boolean => booleanParam(raw, 'preview') === true;

/**
 * A dry run of an advisory's issue: the same decision as the real command, folded in memory
 * and nothing written (no event, no idempotency record). Answers what a recipient member
 * would see, built with the very view `GET /advisories/{id}` gives a member, and how many
 * organisations would receive it. For TLP:RED the member is one of the named contacts; when
 * no member could see it at all, `advisory` is null.
 */
export function previewAdvisory(
  command: Extract<AdvisoryCommand, { type: 'IssueAdvisory' }>,
  actor: UserActor,
) {
  const ctx: AdvisoryContext = { now: new Date().toISOString(), actor, policy };
  const { state } = decideAndFold(advisories, advisories.initialState(), 0, command, ctx);
  if (state === null) throw new Error('an issued advisory left no state');
  const org = state.recipients[0];
  const member: Actor | null =
    org === undefined
      ? null
      : {
          kind: 'user',
          role: 'member',
          org,
          sub: state.named[org]?.[0] ?? `preview-member-${org}`,
          ...(state.sector ? { sector: state.sector } : {}),
        };
  const visible = member !== null && canSeeAdvisory(state, member);
  return {
    status: 200,
    body: {
      preview: true,
      recipients: state.recipients.length,
      member: visible ? org : null,
      advisory: visible ? advisoryView(state, member, []) : null,
    },
  };
}
