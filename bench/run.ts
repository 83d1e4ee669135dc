import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { runAdvisoryFanout } from './advisory-fanout.ts';
import { annualReportSection } from './annual-report.ts';
import { apiLatencySection } from './api-latency.ts';
import { runAuditBench } from './audit.ts';
import { bundlesSection } from './bundles.ts';
import { checkpointMemorySection } from './checkpoint-memory.ts';
import { runConsoleSize } from './console-size.ts';
import { dynamodbLocalJvmSection } from './dynamodb-local-jvm.ts';
import { eventStoreCapacitySection, eventStoreSection } from './event-store.ts';
import { localStartSection } from './local-start.ts';
import { sectorsFanoutSection } from './sectors-fanout.ts';
import { soakSectionOf } from './soak.ts';
import { surveyResultsSection } from './survey-results.ts';
import { loadNow, machineHeader, progress } from './util.ts';

// npm run bench: every section, then bench/RESULTS.md. `npm run bench -- <id>...` runs only the named
// sections (event-store, bundles, api, advisory, audit, console, local-start, survey, annual-report, sectors; and
// event-store-capacity and dynamodb-local-jvm, which only run when named) and prints the markdown to stdout instead of writing RESULTS.md.
// A crashed section is written up as such and makes the exit code 1; a missed goal does not.

const sections = [
  {
    id: 'event-store',
    title: '1. Event store: load-decide-append throughput vs Castore',
    run: eventStoreSection,
  },
  {
    // Not part of a full run (section 1 measures the same units): `npm run bench -- event-store-capacity`.
    id: 'event-store-capacity',
    title: '1a. Event store: capacity units per command (counted, not timed)',
    run: eventStoreCapacitySection,
    onlyWhenNamed: true,
  },
  { id: 'bundles', title: '2. Function bundles: size and cold import time', run: bundlesSection },
  { id: 'api', title: '3. API command latency on the local stack', run: apiLatencySection },
  {
    id: 'advisory',
    title: '4. Advisory fan-out: 2,000 organisations × 2 contacts on the local stack',
    run: runAdvisoryFanout,
  },
  {
    // Not part of a full run: which JVM flags DynamoDB Local runs with (local/dynamodb.ts).
    id: 'dynamodb-local-jvm',
    title: "4a. DynamoDB Local's JVM flags: start and write throughput",
    run: dynamodbLocalJvmSection,
    onlyWhenNamed: true,
  },
  { id: 'audit', title: '5. Audit: verify and replay of 1,000,000 events', run: () => runAuditBench() },
  {
    id: 'checkpoint-memory',
    title: '5a. Audit: the memory a checkpoint takes to publish and to read',
    run: checkpointMemorySection,
  },
  { id: 'console', title: '6. Web console: shipped size', run: runConsoleSize },
  {
    id: 'local-start',
    title: '7. Local start: a data folder of closed incidents vs an empty one',
    run: localStartSection,
  },
  // 8 is the soak's (npm run soak), kept in its place when this runner rewrites RESULTS.md.
  {
    id: 'survey',
    title: '9. Survey results: 60 questions answered by 2,000 organisations',
    run: surveyResultsSection,
  },
  {
    id: 'annual-report',
    title: '10. Annual report: a fiscal year of 10,000 events, HTML and PDF',
    run: annualReportSection,
  },
  {
    id: 'sectors',
    title: "11. Every sector: one drill advisory from NISC to the seed map's 18 CEPTOARs",
    run: sectorsFanoutSection,
  },
] as const;

// The SDK's notice that Node.js 20 support ends; Lambda runs Node.js 24, and the notice only clutters stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const only = process.argv.slice(2);
const unknown = only.filter((id) => !sections.some((s) => s.id === id));
if (unknown.length > 0) {
  console.error(`unknown section(s): ${unknown.join(', ')}; known: ${sections.map((s) => s.id).join(', ')}`);
  process.exit(2);
}

const startedAt = new Date();
const loadAtStart = loadNow();
const parts: string[] = [];
let crashed = 0;
for (const section of sections) {
  if (only.length > 0 ? !only.includes(section.id) : 'onlyWhenNamed' in section) continue;
  progress(`section ${section.title}: start`);
  const t0 = performance.now();
  let body: string;
  try {
    // Sections written to run alone carry their own heading; the runner's heading replaces it.
    body = (await section.run()).replace(/^\s*## [^\n]*\n+/, '');
    progress(`section ${section.title}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } catch (error) {
    crashed++;
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    progress(`section ${section.title}: CRASHED: ${detail}`);
    body = `**This section crashed; no figures.**\n\n\`\`\`\n${detail}\n\`\`\``;
  }
  const seconds = ((performance.now() - t0) / 1000).toFixed(0);
  parts.push('', `## ${section.title}`, '', body, '', `_Section run time: ${seconds} s._`);
}
parts.push('', `_Total run time: ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s._`, '');

const file = new URL('./RESULTS.md', import.meta.url);
// The soak (npm run soak) writes its own section 8 at its own time: a full run keeps it, in its place.
const soak = only.length === 0 && existsSync(file) ? soakSectionOf(readFileSync(file, 'utf8')) : null;
if (soak) {
  const after = parts.findIndex((p) => /^## (9|1\d)\. /.test(p));
  parts.splice(after < 0 ? parts.length - 2 : after, 0, soak, '');
}
const markdown = [
  '# Benchmark results',
  '',
  'Written by `npm run bench` (bench/run.ts); see bench/README.md for what each section does.',
  '',
  machineHeader(startedAt, { start: loadAtStart, end: loadNow() }),
  ...parts,
].join('\n');
if (only.length > 0) {
  process.stdout.write(markdown);
} else {
  writeFileSync(file, markdown);
  progress('wrote bench/RESULTS.md');
}
// Sockets of finished sections may still hold the loop open; the results are written.
process.exit(crashed > 0 ? 1 : 0);
