import type { exercisesJa } from './exercises-ja.ts';

// The cross-sector exercises' pages in English (Japanese: exercises-ja.ts).

export const exercisesEn: Record<keyof typeof exercisesJa, string> = {
  'exercises.title': 'Cross-sector exercises',
  'exercises.empty': 'No exercises yet.',
  'exercises.row': '{status} · sectors {sectors} · released {released}/{injects}',
  'exercise.title': '[DRILL] After-action report: {title}',
  'exercise.overall': 'On time: {rate} ({n}/{total}), late {late}, missed {missed}, not yet due {pending}',
  'exercise.sectors': 'Comparison across sectors',
  'exercise.stages': 'Transmission rate per stage',
  'exercise.timeline': 'Timeline (seconds from the start)',
  'exercise.timeline.label': 'Releases and actions per sector over time; the tables show the same figures.',
  'exercise.col.sector': 'Sector',
  'exercise.col.stage': 'Stage',
  'exercise.col.expected': 'Expected',
  'exercise.col.onTime': 'On time',
  'exercise.col.late': 'Late',
  'exercise.col.missed': 'Missed',
  'exercise.col.pending': 'Not yet due',
  'exercise.col.rate': 'Rate',
  'exercise.col.median': 'Median (s)',
  'exercise.download': 'Download CSV',
};
