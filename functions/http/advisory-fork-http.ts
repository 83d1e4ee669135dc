import { forkTarget, type IssueAdvisoryBody } from '../../events/advisory/body.ts';
import type { ForkCommand, ForkState } from '../../events/advisory/fork.ts';
import { forks } from '../aggregates/advisory-forks.ts';
import { forkChildId } from '../aggregates/fork-child-id.ts';
import { reader } from '../store/reader.ts';
import { advisoryCommand, issuingSector, loadRoster, newAdvisoryId } from './advisory-http.ts';
import type { HttpRequest, HttpResponse } from './http.ts';
import { httpCommand } from './http-command.ts';

/** The answer to an advisory to several sectors: the parent and each sector's chain (issued by a reaction). */
const forkAnswer = (state: ForkState, version: number) => ({
  id: state.id,
  kind: 'fork' as const,
  drill: state.drill,
  children: state.children,
  version,
});

/** What an advisory to several sectors carries to each sector's chain (POST /advisories, POST /drills). */
export type ForkBody = Omit<ForkCommand['data'], 'forkId' | 'target' | 'childId'> & {
  readonly sectors: 'all' | readonly string[];
};

/**
 * NISC (or a ministry, to its sectors) sends one advisory to several sectors or all: only the parent
 * (an `advisory-fork` stream) is written here; the reaction to it (functions/reactions/fork-reactions.ts)
 * issues each sector's chain. 201 with the parent and its children; `Location` the parent's page.
 */
export function forkCommand(
  request: HttpRequest<unknown>,
  forkId: string,
  body: ForkBody,
): Promise<HttpResponse> {
  const { sectors, ...rest } = body;
  return httpCommand(
    request,
    forks,
    forkId,
    {
      type: 'ForkAdvisory',
      data: {
        ...rest,
        forkId,
        target: forkTarget(sectors),
        childId: (sector) => forkChildId(forkId, sector),
      },
    },
    { now: new Date().toISOString(), actor: request.actor },
    { status: 201, body: forkAnswer, location: (state) => `/advisories/${state.id}`, newStream: true },
  );
}

/**
 * POST /advisories and POST /drills: one sector's IssueAdvisory (the caller's sector, or the one it names, with
 * that sector's roster), or with `sectors` a fork to several or all ({@link forkCommand}). 201; `Location` the
 * advisory's page, or with `drillReport` a one-sector drill's report.
 */
export async function issueCommand(
  request: HttpRequest<unknown>,
  body: IssueAdvisoryBody,
  options: { readonly drillReport?: boolean } = {},
): Promise<HttpResponse> {
  const advisoryId = newAdvisoryId();
  const { sectors, ...rest } = body;
  if (sectors !== undefined) return forkCommand(request, advisoryId, { ...rest, sectors });
  const sector = issuingSector(request.actor, rest.sector);
  const response = await advisoryCommand(
    request,
    advisoryId,
    {
      type: 'IssueAdvisory',
      data: { advisoryId, ...rest, sector, roster: await loadRoster(reader, sector) },
    },
    { status: 201, location: true, newStream: true },
  );
  if (!options.drillReport) return response;
  return { ...response, headers: { ...response.headers, location: `/drills/${advisoryId}/report` } };
}
