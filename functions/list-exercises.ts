import { canSeeExercise, exerciseSummary, type MaybeExercise } from '../events/exercise/exercise.ts';
import { EXERCISE_STREAM } from './aggregates/exercises.ts';
import { httpHandler } from './http/http.ts';
import { pageLimit, readPage } from './http/paging.ts';
import { reader } from './store/reader.ts';

/**
 * GET /exercises: the exercises the caller may see, newest first, paged. Exercises are few (a handful
 * a year): one partition, filtered by visibility after the Query, so a page may be short.
 */
export const handler = httpHandler(
  { allow: ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] },
  async (request) => {
    const limit = pageLimit(request.query.limit, 50, 200);
    const page = await readPage(() =>
      reader.listHeads<MaybeExercise>(
        { index: 'byType', key: EXERCISE_STREAM },
        { limit, cursor: request.query.cursor ?? null },
      ),
    );
    const items = page.items
      .map((h) => h.state)
      .filter((s): s is NonNullable<MaybeExercise> => s !== null && canSeeExercise(s, request.actor))
      .map(exerciseSummary);
    return { status: 200, body: { items, cursor: page.cursor } };
  },
);
