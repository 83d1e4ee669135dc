import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/support/sequencer.ts';

// Test tiers by suffix: *.unit.test.ts are pure and fast; *.int.test.ts use the real
// DynamoDB Local, the local state machine and the HTTP server.
export default defineConfig({
  test: {
    // The longest files first: a fresh clone has no cache of durations to order them by.
    sequence: { sequencer: LongestFirstSequencer },
    // Pinned SDK versions; its notice about Node 22 is noise in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.unit.test.ts'],
          testTimeout: 20_000,
          // The unit files share their worker's module registry (vitest's isolate: false): a fresh registry
          // per file made importing (the AWS SDK, aws-cdk-lib, zod) most of the tier's time: 96 s for the
          // tier alone on this 2-core machine, 48 s shared, 173 s of CPU against 74 s. Unit files are pure;
          // the one that sets environment variables and stubs SDK clients (handlers.unit) imports the
          // handlers afresh and restores both when done.
          isolate: false,
          // Unit tests provoke failures on purpose; their assertions say what matters.
          env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['test/**/*.int.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          globalSetup: ['test/support/global-setup.ts', 'test/support/synth-setup.ts'],
          // Files run two at a time (scripts/test.sh and `npm run test:int` pass --maxWorkers=2): each
          // starts its own stack on free ports and its own data folder, and spends most of its time
          // waiting on DynamoDB Local and the pollers. Measured on this 2-core machine with the
          // synthesis shared: 467 s for the tier, where one at a time took 756 s (CI, before it was shared).
        },
      },
      {
        extends: true,
        test: {
          // The soak's own test (npm run test:soak): a 10-second soak with faults and the invariant checker.
          // Out of npm test: it takes minutes. Its intermittent exactly-once finding (issue 12's note) was an
          // acknowledged write DynamoDB Local lost to the SIGKILL; the checker names such losses apart now.
          name: 'soak',
          include: ['test/**/*.soak.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // The web console in Debian's chromium against the whole local stack (scripts/check-test-tools.sh).
          name: 'e2e',
          include: ['test/**/*.e2e.test.ts'],
          globalSetup: ['test/support/global-setup.ts', 'test/support/synth-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          // The console re-reads the API on a timer and the stack reacts asynchronously: a page catches up
          // within seconds, more on a loaded machine than vitest's default second of polling allows.
          expect: { poll: { timeout: 15_000 } },
          // Two files at a time (scripts/test.sh passes --maxWorkers=2), each with its own stack and browser:
          // 239 s for the tier on this 2-core machine where one at a time took 298 s (quiet), and it passed
          // at two under a load average of 8 (476 s).
        },
      },
    ],
  },
});
