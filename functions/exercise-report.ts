import { NotFoundError } from '../events/errors.ts';
import { canSeeExercise } from '../events/exercise/exercise.ts';
import { exerciseReportCsv } from '../events/exercise/report.ts';
import { instantParam } from './audit/audit-http.ts';
import { exerciseIdFrom } from './exercises/read.ts';
import { exerciseAsOf, loadExerciseReport } from './exercises/report-data.ts';
import { httpHandler } from './http/http.ts';
import { reader } from './store/reader.ts';

/**
 * GET /exercises/{id}/report?asOf=: the after-action report from the log as it stood at `asOf`
 * (default now): per inject, sector and organisation the time to each expected action, on time,
 * late or missed, the rates per stage, the comparison across sectors and the timeline. JSON, or
 * CSV with `Accept: text/csv`.
 */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const id = exerciseIdFrom(request);
    const now = new Date().toISOString();
    const asOf = new Date(instantParam(request.query.asOf, 'asOf', now)).toISOString();
    const state = await exerciseAsOf(reader, id, asOf);
    if (state === null || !canSeeExercise(state, request.actor)) throw new NotFoundError('no such exercise');
    const report = await loadExerciseReport(reader, state, asOf);
    if ((request.event.headers?.accept ?? '').includes('text/csv')) {
      return {
        status: 200,
        body: exerciseReportCsv(report),
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="exercise-${id}.csv"`,
        },
      };
    }
    return { status: 200, body: report };
  },
);
