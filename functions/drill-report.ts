import { canSeeReport, reportCsv, transmissionReport } from '../events/advisory/report.ts';
import { NotFoundError } from '../events/errors.ts';
import { advisories, loadRecipients } from './aggregates/advisories.ts';
import { advisoryIdFrom } from './http/advisory-id.ts';
import { httpHandler } from './http/http.ts';
import { loadAggregate } from './store/command-runner.ts';
import { reader } from './store/reader.ts';

/**
 * GET /drills/{id}/report: the transmission rate within the window, overall and per stage,
 * and each recipient's time to acknowledge; JSON, or CSV with `Accept: text/csv`. Works for
 * any advisory the chain may see; the secretariat runs drills, the ministry and NISC see theirs.
 */
export const handler = httpHandler(
  { allow: ['secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const id = advisoryIdFrom(request);
    const { state } = await loadAggregate(reader, advisories, id);
    if (state === null || !canSeeReport(state, request.actor)) throw new NotFoundError('no such drill');
    const report = transmissionReport(state, state.distributedAt ? await loadRecipients(reader, id) : []);
    if ((request.event.headers?.accept ?? '').includes('text/csv')) {
      return {
        status: 200,
        body: reportCsv(report),
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="drill-${id}.csv"`,
        },
      };
    }
    return { status: 200, body: report };
  },
);
