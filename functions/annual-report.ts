import { ValidationError } from '../events/errors.ts';
import { auditClient, instantParam } from './audit/audit-http.ts';
import { periodEvents } from './audit/audit-log.ts';
import { type HttpResponse, httpHandler } from './http/http.ts';
import { renderAnnualReportHtml } from './reports/annual-report-html.ts';
import { annualReportAt, type ReportSources } from './reports/annual-report-log.ts';
import { printPdf } from './reports/pdf.ts';
import { reportProviders } from './reports/providers.ts';
import { reportArchive } from './reports/report-archive.ts';
import { REPORT_READERS, reportPathParams } from './reports/report-params.ts';
import { eventsTable } from './runtime/config.ts';
import { reader } from './store/reader.ts';

/**
 * GET /reports/{sector}/{fy}?asOf=&lang=: the fiscal-year activity report (年度活動報告・次年度活動計画),
 * computed from the event log as a signed checkpoint covered it (the newest at or before `asOf`).
 * JSON by default; `Accept: text/html` the document; `Accept: application/pdf` that document
 * printed on A4 by Chromium. Japanese, or English with `lang=en`.
 */
export const handler = httpHandler({ allow: REPORT_READERS }, async (request): Promise<HttpResponse> => {
  const { sector, fy } = reportPathParams(request);
  const asOf = request.query.asOf === undefined ? null : instantParam(request.query.asOf, 'asOf');
  const lang = request.query.lang ?? 'ja';
  if (lang !== 'ja' && lang !== 'en')
    throw new ValidationError('lang must be ja or en', [{ path: 'lang', message: 'ja or en' }]);
  const accept = request.event.headers?.accept ?? '';
  const sources: ReportSources = {
    archive: reportArchive(),
    // The report folds the sector's own incidents and advisories: its audit group's partitions hold them all.
    periodEvents: (from, to) => periodEvents(auditClient, eventsTable, from, to, { groups: [sector] }),
    streamEvents: (streamId, toVersion) => reader.readEvents(streamId, { toVersion }),
    providers: reportProviders(),
    providerDeps: { reader },
  };
  const report = await annualReportAt(sources, { sector, fiscalYear: fy, asOf });
  const file = `report-${sector}-${fy}-${lang}`;
  if (accept.includes('application/pdf')) {
    const pdf = await printPdf(renderAnnualReportHtml(report, lang));
    return {
      status: 200,
      binaryBody: pdf,
      headers: { 'content-type': 'application/pdf', 'content-disposition': `inline; filename="${file}.pdf"` },
    };
  }
  if (accept.includes('text/html')) {
    return {
      status: 200,
      rawBody: renderAnnualReportHtml(report, lang),
      headers: {
        'content-type': 'text/html; charset=utf-8',
        // The document has no script and loads nothing: a sandboxed frame in the console shows it.
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      },
    };
  }
  return { status: 200, body: report };
});
