import type { MaybeExercise } from '../../events/exercise/exercise.ts';
import { EXERCISE_STREAM } from '../aggregates/exercises.ts';
import { allHeads, type EventReader } from '../store/event-store.ts';
import { exerciseAsOf, loadExerciseReport } from './report-data.ts';

/**
 * What the fiscal-year report needs of the cross-sector exercises: the exercises involving `sector`
 * that started within [from, to), each summed up from its after-action report as the log stood at
 * `asOf` (default now), so a report regenerated later shows the same figures.
 *
 * deps.reader: the event store's read side (functions/store/reader.ts `reader`, or any
 * EventReader: the local stack's, a test's in-memory one). It reads the exercises' byType
 * partition (one paged Query), each matching exercise's stream, the streams of its injects'
 * incidents and advisories, their recipient heads, and its sectors' streams. No writes.
 */
export async function exerciseSummariesForReport(
  deps: { reader: EventReader },
  q: { sector: string; from: string; to: string; asOf?: string },
): Promise<
  Array<{
    id: string;
    title: { ja: string; en: string };
    startedAt: string;
    sectors: string[];
    participants: Array<{ org: string; name: string; role: 'participant' | 'observer' }>;
    injects: number;
    expectedActions: number;
    actionsOnTime: number;
    actionsLate: number;
    actionsMissed: number;
  }>
> {
  const asOf = q.asOf ?? new Date().toISOString();
  const from = new Date(q.from).toISOString();
  const to = new Date(q.to).toISOString();
  const ids: string[] = [];
  for await (const { state } of allHeads<MaybeExercise>(deps.reader, {
    index: 'byType',
    key: EXERCISE_STREAM,
  }))
    if (state !== null && (state.sectors as string[]).includes(q.sector)) ids.push(state.id);
  const out = [];
  for (const id of ids) {
    const state = await exerciseAsOf(deps.reader, id, asOf);
    if (state === null || state.startedAt === null || state.startedAt < from || state.startedAt >= to)
      continue;
    const report = await loadExerciseReport(deps.reader, state, asOf);
    out.push({
      id: state.id,
      title: state.title,
      startedAt: state.startedAt,
      sectors: [...state.sectors],
      participants: state.participants.map(({ org, name, role }) => ({ org, name, role })),
      injects: state.injects.length,
      expectedActions: report.overall.expected,
      actionsOnTime: report.overall.onTime,
      actionsLate: report.overall.late,
      // Not yet due at asOf counts as neither: the report says pending.
      actionsMissed: report.overall.missed,
    });
  }
  return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}
