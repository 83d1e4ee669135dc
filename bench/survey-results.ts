import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../local/stack.ts';
import { benchDirectory } from './advisory-fanout.ts';
import { prng } from './soak-workload.ts';
import { call, fmt, loadLine, loadNow, median, pool, progress, table, token } from './util.ts';

// Section "survey": a survey of 60 questions answered by 2,000 organisations (issue 10: "results computed
// in under 2 s from the log"). Every answer goes through the API (a draft save, then the submission), and
// the results are read back and checked against the answers the bench gave before any figure is kept.

/** Member organisations answering; CEPTOAR_BENCH_SURVEY_ORGS overrides (a quick trial). */
const ORGS = Number(process.env.CEPTOAR_BENCH_SURVEY_ORGS ?? 2_000);
const SECTIONS = 6;
const PER_SECTION = 10;
const RUNS = 5;
const GOAL_MS = 2_000;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The kinds a real self-assessment mixes, per position in a section: mostly J-CLICS maturity levels. */
const KINDS = [
  'maturity',
  'maturity',
  'maturity',
  'single',
  'maturity',
  'multiple',
  'maturity',
  'number',
  'date',
  'text',
] as const;

const label = (ja: string, en: string) => ({ ja, en });

function question(s: number, q: number) {
  const id = `s${s}q${q}`;
  const kind = KINDS[q % KINDS.length] ?? 'maturity';
  const base = {
    id,
    kind,
    label: label(`設問 ${s + 1}-${q + 1}`, `Question ${s + 1}-${q + 1}`),
    required: true,
  };
  if (kind === 'single')
    return {
      ...base,
      options: [
        { value: 'yes', label: label('はい', 'Yes'), score: 4 },
        { value: 'partly', label: label('一部', 'Partly'), score: 2 },
        { value: 'no', label: label('いいえ', 'No'), score: 0 },
      ],
    };
  if (kind === 'multiple')
    return {
      ...base,
      required: false,
      options: ['segmentation', 'monitoring', 'training', 'backup'].map((v, i) => ({
        value: v,
        label: label(`対策 ${i + 1}`, v),
        score: 1,
      })),
    };
  if (kind === 'number') return { ...base, min: 0, max: 1_000, integer: true };
  if (kind === 'text') return { ...base, required: false, maxLength: 500 };
  return base;
}

export const SURVEY_DEFINITION = {
  title: label('ベンチ自己評価（60問）', 'Bench self-assessment (60 questions)'),
  language: 'ja',
  sections: Array.from({ length: SECTIONS }, (_, s) => ({
    id: `section-${s + 1}`,
    title: label(`分野 ${s + 1}`, `Area ${s + 1}`),
    questions: Array.from({ length: PER_SECTION }, (_, q) => question(s, q)),
  })),
};

/** One organisation's answers, from a generator seeded by its index: the same on every run. */
function answersOf(n: number): Record<string, unknown> {
  const random = prng(1_000 + n);
  const answers: Record<string, unknown> = {};
  for (const section of SURVEY_DEFINITION.sections)
    for (const q of section.questions) {
      if (q.kind === 'maturity') answers[q.id] = Math.floor(random() * 5);
      else if (q.kind === 'single') answers[q.id] = ['yes', 'partly', 'no'][Math.floor(random() * 3)];
      else if (q.kind === 'multiple')
        answers[q.id] = ['segmentation', 'monitoring', 'training', 'backup'].filter(() => random() < 0.5);
      else if (q.kind === 'number') answers[q.id] = Math.floor(random() * 200);
      else if (q.kind === 'date') answers[q.id] = `2026-0${1 + Math.floor(random() * 9)}-15`;
      else if (random() < 0.3) answers[q.id] = `課題 ${n}`;
    }
  return answers;
}

interface Cell {
  value: string;
  count: number;
}
interface QuestionResult {
  id: string;
  answered: number | null;
  cells?: Cell[];
}
interface ResultsBody {
  sectors: { sector: string; invited: number; responded: number; questions: QuestionResult[] }[];
  members?: unknown[];
}

/** The secretariat's view must count exactly what was answered: every cell of every choice question. */
function check(body: ResultsBody, given: Record<string, unknown>[]): void {
  const sector = body.sectors.find((s) => s.sector === 'chemical');
  if (!sector) throw new Error('no chemical sector in the results');
  if (sector.responded !== given.length)
    throw new Error(`results count ${sector.responded} respondents, the bench gave ${given.length}`);
  let cells = 0;
  for (const q of sector.questions) {
    for (const cell of q.cells ?? []) {
      const expected = given.filter((a) => {
        const v = a[q.id];
        return Array.isArray(v) ? v.includes(cell.value) : String(v) === cell.value;
      }).length;
      if (cell.count !== expected)
        throw new Error(`${q.id} = ${cell.value}: results say ${cell.count}, the bench gave ${expected}`);
      cells++;
    }
  }
  if (cells === 0) throw new Error('no distribution cell to check');
}

export async function surveyResultsSection(): Promise<string> {
  const loadStart = loadNow();
  const dataDir = mkdtempSync(join(tmpdir(), 'ceptoar-bench-survey-'));
  // One contact per organisation: the survey's distribution is not what this section measures.
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    quiet: true,
    directory: benchDirectory(ORGS, 1),
    rateLimits: 'off',
  });
  try {
    const url = stack.url;
    const secretariat = await token(url, 'secretariat');
    const created = await call(url, {
      method: 'POST',
      path: '/surveys',
      token: secretariat,
      body: { definition: SURVEY_DEFINITION, tlp: 'AMBER', k: 3 },
    });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
    const surveyId = (created.body as { id: string }).id;
    const dueAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const issued = await call(url, {
      method: 'POST',
      path: `/surveys/${surveyId}/issue`,
      token: secretariat,
      body: { dueAt },
    });
    if (issued.status !== 200) throw new Error(`issue: ${issued.status} ${JSON.stringify(issued.body)}`);

    const orgs = Array.from({ length: ORGS }, (_, i) => `bench-${String(i).padStart(4, '0')}`);
    const given = orgs.map((_, i) => answersOf(i));
    const answeredAt = performance.now();
    let failed = 0;
    await pool(orgs, 8, async (org, i) => {
      const member = await token(url, 'member', org);
      const path = `/surveys/${surveyId}/response`;
      const saved = await call(url, { method: 'PUT', path, token: member, body: { answers: given[i] } });
      const submitted = await call(url, { method: 'POST', path: `${path}/submit`, token: member, body: {} });
      if (saved.status !== 200 || submitted.status !== 200) {
        failed++;
        if (failed === 1)
          progress(`survey: ${org}: ${saved.status} ${submitted.status} ${JSON.stringify(submitted.body)}`);
      }
      if ((i + 1) % 500 === 0) progress(`survey: ${i + 1} of ${ORGS} answered`);
    });
    if (failed > 0) throw new Error(`${failed} of ${ORGS} answers were refused`);
    const answerSeconds = (performance.now() - answeredAt) / 1000;
    await stack.settle();

    // Read back: the secretariat's per-question distribution is exactly the answers given.
    const first = await call(url, {
      method: 'GET',
      path: `/surveys/${surveyId}/results`,
      token: secretariat,
    });
    if (first.status !== 200) throw new Error(`results: ${first.status}`);
    check(first.body as ResultsBody, given);

    const ministry = await token(url, 'ministry', 'meti');
    const nisc = await token(url, 'nisc');
    const asMember = await token(url, 'member', orgs[0]);
    const readers = [
      { who: 'secretariat (per member, no k)', token: secretariat, accept: undefined },
      { who: 'ministry (METI: the sector aggregate, k = 3)', token: ministry, accept: undefined },
      { who: 'NISC (every sector side by side)', token: nisc, accept: undefined },
      { who: 'a member (its own scores against the sector)', token: asMember, accept: undefined },
      { who: 'secretariat, XLSX export', token: secretariat, accept: XLSX },
    ];
    const samples = new Map(readers.map((r) => [r.who, [] as number[]]));
    const bytes = new Map<string, number>();
    // Interleaved rounds: every reader once per round.
    for (let round = 0; round < RUNS; round++) {
      for (const r of readers) {
        const t0 = performance.now();
        const res = await fetch(`${url}/surveys/${surveyId}/results`, {
          headers: { authorization: `Bearer ${r.token}`, ...(r.accept ? { accept: r.accept } : {}) },
        });
        const body = Buffer.from(await res.arrayBuffer());
        samples.get(r.who)?.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`${r.who}: ${res.status} ${body.toString('utf8', 0, 300)}`);
        bytes.set(r.who, body.length);
      }
    }

    // The same results by replaying every response stream's events (not the heads the route reads).
    const { reader } = await import('../functions/store/reader.ts');
    const { loadAggregate } = await import('../functions/store/command-runner.ts');
    const { responseId, responses, surveys } = await import('../functions/aggregates/surveys.ts');
    const { resultsView } = await import('../events/survey/views.ts');
    // Reads in flight: 16, and 64 (the machine has two cores; DynamoDB Local answers each Query in a thread
    // of its own), rounds interleaved.
    const IN_FLIGHT = [16, 64] as const;
    const replays = new Map<number, number[]>(IN_FLIGHT.map((n) => [n, []]));
    let events = 0;
    for (let round = 0; round < 3; round++)
      for (const inFlight of IN_FLIGHT) {
        const t0 = performance.now();
        const { state: survey } = await loadAggregate(reader, surveys, surveyId);
        if (!survey) throw new Error('the survey is gone');
        events = 0;
        const states = await pool(orgs, inFlight, async (org) => {
          let state = responses.initialState();
          for await (const e of reader.readEvents(responses.streamId(responseId(surveyId, org)))) {
            state = responses.evolve(state, responses.upcast(e));
            events++;
          }
          if (!state) throw new Error(`no response from ${org}`);
          return state;
        });
        const view = resultsView(survey, states, { kind: 'user', sub: 'bench', role: 'secretariat' });
        replays.get(inFlight)?.push(performance.now() - t0);
        check(view as unknown as ResultsBody, given);
      }

    const rows = readers.map((r) => {
      const s = samples.get(r.who) ?? [];
      const p50 = median(s);
      return [
        r.who,
        s.map((ms) => fmt(ms, 0)).join(', '),
        fmt(p50, 0),
        fmt((bytes.get(r.who) ?? 0) / 1024, 0),
        p50 < GOAL_MS ? 'met' : '**missed**',
      ];
    });
    for (const [inFlight, runs] of replays) {
      const replayMs = median(runs);
      rows.push([
        `replay of every response stream's ${fmt(events, 0)} events + resultsView (in process, ${inFlight} streams read at a time)`,
        runs.map((ms) => fmt(ms, 0)).join(', '),
        fmt(replayMs, 0),
        '—',
        replayMs < GOAL_MS ? 'met' : '**missed**',
      ]);
    }
    const loadEnd = loadNow();
    return [
      `A survey of ${SECTIONS * PER_SECTION} questions (${SECTIONS} sections: maturity levels, single and multiple`,
      'choice, number, date, free text) issued by the secretariat to',
      `${fmt(ORGS, 0)} member organisations on the local stack; each saved a draft and submitted through the API`,
      `(${fmt(ORGS * 2, 0)} commands, 8 in flight: ${fmt(answerSeconds, 0)} s). Then \`GET /surveys/{id}/results\``,
      `for each reader, ${RUNS} interleaved rounds, from sending the request to the last byte: the route reads`,
      `the survey's stream and its ${fmt(ORGS, 0)} response heads (one paged Query of the byType index; each head is the`,
      'state the stream projection folded from its events) and computes every distribution and score then. The',
      "last two rows fold every response stream's events instead (3 rounds each, 16 and 64 streams read at a time), the recomputation an auditor can make.",
      "Before any figure is kept, the secretariat's counts for every choice cell and the replay's are checked",
      'against the answers the bench gave.',
      '',
      table(
        [
          'results read by',
          `ms (${RUNS} runs)`,
          'median ms',
          'response KiB',
          `goal < ${fmt(GOAL_MS / 1000, 0)} s`,
        ],
        rows,
      ),
      '',
      loadLine(loadStart, loadEnd),
    ].join('\n');
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// `node --import tsx bench/survey-results.ts` runs this section alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await surveyResultsSection());
  process.exit(0);
}
