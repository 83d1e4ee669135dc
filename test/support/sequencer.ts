import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The test files that take longest, longest first (as measured in the int and e2e tiers' JSON reports of a
 * fresh-clone run, 2026-12-04). A fresh clone has no vitest cache, so vitest
 * would start them in file order, and a two-minute restart test started last leaves the other worker
 * idle at the end of the tier (advisory-restart began 891 s into a 998 s tier). Started first, they
 * overlap the short files instead. Files not listed follow in vitest's own order (its cache, when there
 * is one, orders them by their last duration).
 */
export const LONGEST_FIRST: readonly string[] = [
  'local-restart.int.test.ts',
  'web-secretariat.e2e.test.ts',
  'web-advisories.e2e.test.ts',
  'web-year.e2e.test.ts',
  'advisory-restart.int.test.ts',
  'web-relay.e2e.test.ts',
  'web-audit.e2e.test.ts',
  'audit-api.int.test.ts',
  'openapi-agreement.int.test.ts',
  'api-hostile.int.test.ts',
  'voice-relay.int.test.ts',
  'stage-alarms.int.test.ts',
  'sector-isolation.int.test.ts',
];

const rank = (spec: TestSpecification) => {
  const index = LONGEST_FIRST.findIndex((name) => spec.moduleId.endsWith(`/${name}`));
  return index === -1 ? LONGEST_FIRST.length : index;
};

/** Vitest's sequencer with {@link LONGEST_FIRST} moved to the front (a stable sort keeps the rest in order). */
export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
