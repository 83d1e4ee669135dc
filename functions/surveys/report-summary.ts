import { isSectorId } from '../../events/sector/catalog.ts';
import { memberScores, participation, sectorScore, submittedOf } from '../../events/survey/results.ts';
import { latestVersion, type ResponseState, type SurveyState } from '../../events/survey/survey.ts';
import { responseListKey, responses, SURVEY_LIST, surveys } from '../aggregates/surveys.ts';
import type { Folding } from '../store/command-runner.ts';
import { allHeads, type EventReader } from '../store/event-store.ts';

/**
 * A stream's state as of a moment: its head when the head is no newer, else its events up to then
 * folded again (null when it began after). Streams are read only where the head is newer than asOf.
 */
async function asOfState<S, E extends { type: string; data: unknown }>(
  reader: Pick<EventReader, 'readEvents'>,
  aggregate: Folding<S, E>,
  head: { streamId: string; state: S; updatedAt: string },
  asOf: string | undefined,
): Promise<S> {
  if (asOf === undefined || head.updatedAt <= asOf) return head.state;
  let state = aggregate.initialState();
  for await (const stored of reader.readEvents(head.streamId)) {
    if (stored.recordedAt > asOf) break;
    state = aggregate.evolve(state, aggregate.upcast(stored));
  }
  return state;
}

/**
 * The surveys of one sector issued within [from, to) (ISO instants), as the fiscal-year report
 * states them: invited, responded, late, the response rate (0–1, three decimals) and the sector's
 * overall score (median and quartiles, 0–100; only where at least the survey's k members
 * scored, the figure NISC and the ministry see), all as of `asOf` (default: now).
 *
 * deps: `reader` — any EventReader (functions/store/reader.ts's `reader` in a Lambda, or the local
 * stack's); it uses `listHeads` on the byType index (partition `survey`, then
 * `survey-responses#<id>` per survey) and, only for a stream changed after `asOf`, `readEvents`.
 * Nothing is written.
 */
export async function surveySummariesForReport(
  deps: { reader: Pick<EventReader, 'listHeads' | 'readEvents'> },
  q: { sector: string; from: string; to: string; asOf?: string },
): Promise<
  Array<{
    id: string;
    title: { ja: string; en: string };
    series?: string;
    issuedAt: string;
    dueAt: string;
    closedAt?: string;
    invited: number;
    responded: number;
    late: number;
    responseRate: number;
    sectorScore?: { median: number; q1: number; q3: number };
  }>
> {
  const { reader } = deps;
  const sector = q.sector;
  if (!isSectorId(sector)) return [];
  const out: Awaited<ReturnType<typeof surveySummariesForReport>> = [];
  for await (const head of allHeads<SurveyState | null>(reader, { index: 'byType', key: SURVEY_LIST })) {
    if (head.state === null || !head.state.sectors.includes(sector)) continue;
    const s = await asOfState(reader, surveys, head as typeof head & { state: SurveyState | null }, q.asOf);
    if (s === null || !s.issuedAt || !s.dueAt || s.issuedAt < q.from || s.issuedAt >= q.to) continue;
    const rs: ResponseState[] = [];
    for await (const r of allHeads<ResponseState | null>(reader, {
      index: 'byType',
      key: responseListKey(s.id),
    })) {
      if (r.state === null || r.state.sector !== sector) continue;
      const state = await asOfState(reader, responses, r, q.asOf);
      if (state) rs.push(state);
    }
    const p = participation(s, rs, sector);
    const score = sectorScore(s, memberScores(s, submittedOf(rs)), s.k).overall;
    out.push({
      id: s.id,
      title: latestVersion(s).definition.title,
      ...(s.series ? { series: s.series } : {}),
      issuedAt: s.issuedAt,
      dueAt: s.dueAt,
      ...(s.closedAt ? { closedAt: s.closedAt } : {}),
      ...p,
      ...(score ? { sectorScore: score } : {}),
    });
  }
  return out.sort((a, b) => (a.issuedAt < b.issuedAt ? -1 : 1));
}
