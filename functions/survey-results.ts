import { ValidationError } from '../events/errors.ts';
import { resultTables, tableCsv } from '../events/survey/export.ts';
import type { SurveyState } from '../events/survey/survey.ts';
import { canSeeSurvey, type HistoryEntry, resultSectors, resultsView } from '../events/survey/views.ts';
import { loadAllSurveys, loadResponsesIn, loadVisibleSurvey, surveyIdFrom } from './aggregates/surveys.ts';
import type { UserActor } from './http/http.ts';
import { httpHandler } from './http/http.ts';
import { eventsTable } from './runtime/config.ts';
import { importLazy } from './runtime/lazy-module.ts';
import { DynamoDbBatchHeadReader } from './store/batch-heads.ts';
import { dynamoClient, reader } from './store/reader.ts';

/** The reader, plus heads by stream id: a caller who sees fewer sectors than the survey spans reads only theirs. */
const store = new DynamoDbBatchHeadReader(dynamoClient, eventsTable);

/** The responses whose results `actor` reads: the sectors of `survey` it sees. */
const responsesFor = (survey: SurveyState, actor: UserActor) =>
  loadResponsesIn(store, survey, resultSectors(survey, actor));

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The earlier editions of the survey's series the caller may see, oldest first, as the caller sees them. */
async function historyOf(survey: SurveyState, actor: UserActor): Promise<HistoryEntry[]> {
  if (!survey.series) return [];
  const earlier = (await loadAllSurveys(reader))
    .filter(
      (s) =>
        s.series === survey.series &&
        s.id !== survey.id &&
        s.issuedAt !== undefined &&
        s.issuedAt < (survey.issuedAt ?? '\uffff') &&
        canSeeSurvey(s, actor),
    )
    .sort((a, b) => ((a.issuedAt ?? '') < (b.issuedAt ?? '') ? -1 : 1));
  return Promise.all(
    earlier.map(async (s) => {
      const view = resultsView(s, await responsesFor(s, actor), actor);
      return {
        surveyId: s.id,
        title: view.title,
        ...(s.issuedAt ? { issuedAt: s.issuedAt } : {}),
        sectors: view.sectors.map((x) => ({
          sector: x.sector,
          responded: x.responded,
          responseRate: x.responseRate,
          ...(x.score.overall ? { overall: x.score.overall } : {}),
        })),
        ...('own' in view ? { own: view.own?.scores.overall ?? null } : {}),
      };
    }),
  );
}

/**
 * GET /surveys/{id}/results: JSON, or CSV (`Accept: text/csv`, the per-question table) or XLSX
 * (`Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`: per question, the
 * sector's scores and, for the secretariat, per member), headed in the survey's language
 * (`?lang=ja|en` overrides). What each role sees: events/survey/views.ts, resultsView.
 */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const lang = request.query.lang;
    if (lang !== undefined && lang !== 'ja' && lang !== 'en')
      throw new ValidationError('lang must be ja or en', [{ path: 'lang', message: 'one of ja, en' }]);
    const survey = await loadVisibleSurvey(reader, surveyIdFrom(request.params), request.actor);
    const [responses, history] = await Promise.all([
      responsesFor(survey, request.actor),
      historyOf(survey, request.actor),
    ]);
    const view = resultsView(survey, responses, request.actor, history);
    const accept = request.event.headers?.accept ?? '';
    const name = `survey-${survey.id}`;
    if (accept.includes(XLSX)) {
      // exceljs and the workbook: a file of their own beside the bundle, loaded on the first XLSX request.
      const { tablesXlsx } = await importLazy<typeof import('./surveys/survey-xlsx.ts')>('survey-xlsx');
      const xlsx = await tablesXlsx(resultTables(view, lang ?? view.language), {
        title: view.title[lang ?? view.language],
        tlp: view.tlp,
      });
      return {
        status: 200,
        binaryBody: xlsx,
        headers: { 'content-type': XLSX, 'content-disposition': `attachment; filename="${name}.xlsx"` },
      };
    }
    if (accept.includes('text/csv')) {
      const [questions] = resultTables(view, lang ?? view.language);
      return {
        status: 200,
        body: `\ufeff${questions ? tableCsv(questions) : ''}`,
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${name}.csv"`,
        },
      };
    }
    return { status: 200, body: view };
  },
);
