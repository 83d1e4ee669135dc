import { forkTarget, issueAdvisoryBody } from '../events/advisory/body.ts';
import type { ForkState } from '../events/advisory/fork.ts';
import { forks } from './aggregates/advisory-forks.ts';
import { forkChildId } from './aggregates/fork-child-id.ts';
import { advisoryCommand, issuingSector, loadRoster, newAdvisoryId } from './http/advisory-http.ts';
import { httpHandler } from './http/http.ts';
import { httpCommand } from './http/http-command.ts';
import { reader } from './store/reader.ts';

/** The answer to an advisory to several sectors: the parent and each sector's chain (issued by a reaction). */
const forkAnswer = (state: ForkState, version: number) => ({
  id: state.id,
  kind: 'fork' as const,
  drill: state.drill,
  children: state.children,
  version,
});

/**
 * POST /advisories: NISC, the ministry or the secretariat issues an advisory; it starts down the chain from there.
 * With `sectors`, NISC (or a ministry, to its sectors) sends it to several sectors or all: only the parent is
 * written here; the reaction to it (functions/reactions/fork-reactions.ts) issues each sector's chain.
 */
export const handler = httpHandler(
  { allow: ['nisc', 'ministry', 'secretariat'], body: issueAdvisoryBody },
  async (request) => {
    const advisoryId = newAdvisoryId();
    const { sectors, ...body } = request.body;
    if (sectors !== undefined) {
      return httpCommand(
        request,
        forks,
        advisoryId,
        {
          type: 'ForkAdvisory',
          data: {
            ...body,
            forkId: advisoryId,
            target: forkTarget(sectors),
            childId: (sector) => forkChildId(advisoryId, sector),
          },
        },
        { now: new Date().toISOString(), actor: request.actor },
        { status: 201, body: forkAnswer, location: (state) => `/advisories/${state.id}` },
      );
    }
    const sector = issuingSector(request.actor, body.sector);
    return advisoryCommand(
      request,
      advisoryId,
      {
        type: 'IssueAdvisory',
        data: { advisoryId, ...body, sector, roster: await loadRoster(reader, sector) },
      },
      { status: 201, location: true },
    );
  },
);
