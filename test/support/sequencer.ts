import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The test files that take longest, longest first, as measured in a fresh-clone run of `npm test`
 * (2026-12-04, under load; the order held in a quiet one). A fresh clone has no vitest cache, so vitest
 * would start them in file order (projects by name: e2e, int, then unit), and a long file started last
 * leaves the other worker idle at the end: infra-bundle (every function bundled, 276 s under load) was
 * the last to finish, and in the int tier run on its own, advisory-restart began 891 s into 998 s.
 * Started first, they overlap the short files instead. Files not listed follow in vitest's own order
 * (its cache, when there is one, orders them by their last duration).
 */
export const LONGEST_FIRST: readonly string[] = [
  'infra-bundle.unit.test.ts',
  'local-restart.int.test.ts',
  'web-year.e2e.test.ts',
  'web-secretariat.e2e.test.ts',
  'web-advisories.e2e.test.ts',
  'api-hostile.int.test.ts',
  'api-unavailable.int.test.ts',
  'openapi-agreement.int.test.ts',
  'web-relay.e2e.test.ts',
  'sector-isolation.int.test.ts',
  'web-audit.e2e.test.ts',
  'local-endpoints.int.test.ts',
  'local-dynamodb.int.test.ts',
  'data-folder.int.test.ts',
  'audit-sectors.int.test.ts',
  'advisory-restart.int.test.ts',
  'web-console.e2e.test.ts',
  'web-stages.e2e.test.ts',
  'audit-api.int.test.ts',
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
