import {
  type ActivityState,
  activityView,
  canReadActivities,
  type MaybeActivity,
} from '../events/activity/activity.ts';
import { NotFoundError, ValidationError } from '../events/errors.ts';
import { fiscalYearOfDate, parseFiscalYear } from '../events/report/fiscal-year.ts';
import { sectorPartition } from '../events/sector/catalog.ts';
import { listSectors } from '../events/sector/visibility.ts';
import { ACTIVITY_LIST, activities } from './aggregates/activities.ts';
import { sectorParam } from './audit/sector-lists.ts';
import { httpHandler } from './http/http.ts';
import { UUID } from './http/uuid.ts';
import { loadAggregate } from './store/command-runner.ts';
import { allHeads } from './store/event-store.ts';
import { reader } from './store/reader.ts';

/**
 * GET /activities?fy=&sector=: the recorded activities of the sectors the caller sees (or the one
 * it names), in date order, those of one fiscal year with `fy`. GET /activities/{id}: one.
 * The sector's secretariat, its ministry, NISC and its auditors read them; another sector's is 404.
 */
export const handler = httpHandler(
  { allow: ['secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const id = request.params.id;
    if (id !== undefined) {
      if (!UUID.test(id)) throw new NotFoundError('no such activity');
      const { state } = await loadAggregate(reader, activities, id);
      if (state === null || !canReadActivities(request.actor, state.sector))
        throw new NotFoundError('no such activity');
      return { status: 200, body: activityView(state) };
    }
    const rawFy = request.query.fy;
    const fy = rawFy === undefined ? null : parseFiscalYear(rawFy);
    if (rawFy !== undefined && fy === null)
      throw new ValidationError('fy must be a fiscal year such as 2015', [
        { path: 'fy', message: 'a four-digit year from 2000 to 2100' },
      ]);
    const items: ActivityState[] = [];
    for (const sector of listSectors(request.actor, sectorParam(request.query.sector))) {
      for await (const { state } of allHeads<MaybeActivity>(reader, {
        index: 'byType',
        key: sectorPartition(ACTIVITY_LIST, sector),
      })) {
        if (state !== null && (fy === null || fiscalYearOfDate(state.date) === fy)) items.push(state);
      }
    }
    // By date, and on one date in the order they were recorded.
    const key = (a: ActivityState) => `${a.date}#${a.recordedAt}#${a.id}`;
    items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return { status: 200, body: { items: items.map(activityView) } };
  },
);
