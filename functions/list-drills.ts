import type { AdvisoryState, MaybeAdvisory } from '../events/advisory/advisory.ts';
import { canSeeReport } from '../events/advisory/report.ts';
import { advisorySummary, transmission } from '../events/advisory/visibility.ts';
import { listSectors } from '../events/sector/visibility.ts';
import { ADVISORY_LIST, loadRecipients } from './aggregates/advisories.ts';
import { sectorHeadsPage, sectorParam } from './audit/sector-lists.ts';
import { httpHandler } from './http/http.ts';
import { pageLimit } from './http/paging.ts';
import { reader } from './store/reader.ts';

/** At most this many index reads per request: a page among many advisories may hold fewer drills. */
const MAX_READS = 10;
/** Recipient reads in flight at once (one Query per drill, for its rate so far). */
const PARALLEL = 8;

/**
 * GET /drills: the drills the caller may read the report of, newest first, each with its rate
 * so far (one Query of its recipients). Drills are advisories with `drill: true`, read from the
 * advisories' index and filtered (contact checks, also exercises, have their own route); a page
 * may hold fewer than `limit` rows while `cursor` still moves on.
 */
export const handler = httpHandler(
  { allow: ['secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const limit = pageLimit(request.query.limit, 20, 100);
    const drills: AdvisoryState[] = [];
    let cursor = request.query.cursor ?? null;
    const sectors = listSectors(request.actor, sectorParam(request.query.sector));
    for (let reads = 0; reads < MAX_READS && drills.length < limit; reads++) {
      const page = await sectorHeadsPage<MaybeAdvisory>(
        reader,
        sectors,
        { index: 'byType', base: ADVISORY_LIST },
        { limit: limit - drills.length, cursor },
      );
      for (const { state } of page.items) {
        if (state?.drill && !state.contactCheck && !state.exerciseId && canSeeReport(state, request.actor))
          drills.push(state);
      }
      cursor = page.cursor;
      if (cursor === null) break;
    }
    const items = [];
    for (let i = 0; i < drills.length; i += PARALLEL) {
      items.push(
        ...(await Promise.all(
          drills.slice(i, i + PARALLEL).map(async (state) => ({
            ...advisorySummary(state),
            severity: state.severity,
            ackWithinHours: state.ackWithinHours,
            closedAt: state.closedAt,
            transmission: state.distributedAt
              ? transmission(state, await loadRecipients(reader, state.id))
              : null,
          })),
        )),
      );
    }
    return { status: 200, body: { items, cursor } };
  },
);
