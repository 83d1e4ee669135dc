import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Directory } from '../functions/aggregates/directory.ts';
import { seedDirectory } from '../local/seed-directory.ts';
import { type LocalStack, startLocalStack } from '../local/stack.ts';
import { fmt, pool, quantile } from './util.ts';

/** How many member organisations the advisory goes to, each with two contacts. */
const ORGS = 2_000;
/** Concurrent acknowledgement clicks: everyone at once, as far as one client process can. */
const CLICK_CONCURRENCY = 64;
/** Issue 11's goal for both measures (the relay issue's was 30 s). */
const GOAL_MS = 8_000;

/**
 * The demo chain (secretariat, ministry, NISC) and `orgs` generated members of chemical, `contacts` (1 or 2)
 * each, two channels each.
 */
export function benchDirectory(orgs = ORGS, contacts: 1 | 2 = 2): Directory {
  const chain = Object.fromEntries(
    Object.entries(seedDirectory().organizations).filter(([, org]) => org.kind !== 'member'),
  );
  const members: Record<string, Directory['organizations'][string]> = {};
  for (let i = 0; i < orgs; i++) {
    const org = `bench-${String(i).padStart(4, '0')}`;
    const phone = (n: number) => `+8190${String(i * 2 + n).padStart(8, '0')}`;
    members[org] = {
      kind: 'member',
      name: { ja: `ベンチ会員 ${i}`, en: `Bench member ${i}` },
      contacts: (
        [
          // One contact primarily by e-mail, the other by SMS: both channels carry the fan-out.
          {
            id: `${org}-a`,
            name: 'CSIRT A',
            email: `a@${org}.bench.example`,
            phone: phone(0),
            lang: 'ja',
            escalation: false,
            primary: 'email',
            secondary: 'sms',
          },
          {
            id: `${org}-b`,
            name: 'CSIRT B',
            email: `b@${org}.bench.example`,
            phone: phone(1),
            lang: 'en',
            escalation: false,
            primary: 'sms',
            secondary: 'email',
          },
        ] as const
      ).slice(0, contacts),
    };
  }
  return { organizations: { ...chain, ...members } };
}

/** The fields of /proc/<pid>/stat after the command's name (the first is the state, field 3), for each child of this process. */
function childrenStats(): { pid: string; fields: string[] }[] {
  const out: { pid: string; fields: string[] }[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid) out.push({ pid, fields });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** Resident set size (kB) of this process's children (DynamoDB Local's JVM), peak so far. */
export function childrenPeakRssKb(): number {
  let total = 0;
  for (const { pid } of childrenStats()) {
    try {
      const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      total += Number(hwm ?? 0);
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux, which `getconf CLK_TCK` says). */
const USER_HZ = 100;

/**
 * CPU seconds (user + system) used so far by this process (the stack, its stand-ins and the bench client) and by
 * its children (DynamoDB Local's JVM). Their difference over a measure, divided by the machine's cores, is the
 * least wall time that measure could take on this machine with the same work; so is the event loop's own share,
 * which one thread runs.
 */
export function cpuSeconds(): { node: number; mainThread: number; jvm: number } {
  const { user, system } = process.cpuUsage();
  const ticks = (fields: readonly string[]) => Number(fields[11]) + Number(fields[12]);
  const main = readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8');
  const jvm = childrenStats().reduce((t, { fields }) => t + ticks(fields), 0);
  return {
    node: (user + system) / 1e6,
    // The event loop's own thread (the others: the garbage collector's helpers, libuv's pool).
    mainThread: ticks(main.slice(main.lastIndexOf(')') + 2).split(' ')) / USER_HZ,
    jvm: jvm / USER_HZ,
  };
}

/**
 * The links of the messages the catchers hold (e-mail bodies and SMS texts): one per acknowledgement asked.
 * A message sent twice (a queue message redelivered after its visibility timeout, at least once) carries
 * the same link: it is counted once here, and its copies in `duplicates`.
 */
export function ackLinks(stack: LocalStack): string[] & { duplicates: number } {
  const all = [
    ...stack.mail.messages().map((m) => /\/ack\/([\w.-]+)/.exec(m.text)?.[1]),
    ...stack.sms.messages().map((s) => /\/ack\/([\w.-]+)/.exec(s.text)?.[1]),
  ].filter((t): t is string => t !== undefined);
  const unique = [...new Set(all)];
  return Object.assign(unique, { duplicates: all.length - unique.length });
}

/**
 * Clicks every link, CLICK_CONCURRENCY at once, each read to its end: how many were not 200, and each
 * click's time from request to answer.
 */
export async function clickAll(
  url: string,
  links: readonly string[],
): Promise<{ refused: number; latenciesMs: number[] }> {
  const answers = await pool(links, CLICK_CONCURRENCY, async (link) => {
    const t0 = performance.now();
    const r = await fetch(`${url}/ack/${link}`, { method: 'POST' });
    await r.arrayBuffer();
    return { status: r.status, ms: performance.now() - t0 };
  });
  return {
    refused: answers.filter((a) => a.status !== 200).length,
    latenciesMs: answers.map((a) => a.ms),
  };
}

/** `p50 / p99` of a sample, in seconds. */
const p50p99 = (ms: readonly number[]) =>
  `${fmt(quantile(ms, 0.5) / 1000, 1)} / ${fmt(quantile(ms, 0.99) / 1000, 1)} s`;

/**
 * The advisory fan-out bench: a local stack with 2,000 member organisations × 2 contacts;
 * the secretariat issues one advisory to all; measured: issue → every delivery recorded
 * (4,000 events on 2,000 recipient streams) and → every delivery in the recipients' heads, then all
 * 4,000 links clicked at once → every acknowledgement recorded and → counted in the heads; p50/p99 per
 * message and per click. Returns a markdown section.
 */
export async function runAdvisoryFanout(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ceptoar-bench-advisory-'));
  let peakRss = process.memoryUsage().rss;
  let peakChildren = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    peakChildren = Math.max(peakChildren, childrenPeakRssKb() * 1024);
  }, 200);
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    quiet: true,
    directory: benchDirectory(),
    rateLimits: 'off',
  });
  try {
    // The start appends the directory's 2,000 organisations; the stream projection works through them after
    // the start returns. The advisory is issued on an idle stack: the start's backlog is not its own.
    await stack.settle();
    const { store } = await import('../functions/store/store.ts');
    const { loadRecipients } = await import('../functions/aggregates/advisories.ts');
    const token = (
      (await (
        await fetch(`${stack.url}/local/token`, {
          method: 'POST',
          body: JSON.stringify({ role: 'secretariat' }),
        })
      ).json()) as { token: string }
    ).token;

    const issuedCpu = cpuSeconds();
    const issuedAt = Date.now();
    const res = await fetch(`${stack.url}/advisories`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Bench advisory',
        body: 'Patch the VPN appliances.',
        tlp: 'GREEN',
        ackWithinHours: 24,
      }),
    });
    if (res.status !== 201) throw new Error(`issue: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    const expected = ORGS * 2;
    // Committed: every message sent (the catchers hold one link per message) and the advisory queue empty. A queue
    // message is deleted only after its delivery event is appended (deliverBatch: the group commit returns
    // first), so an empty queue after the last send means every delivery is in the log. Polled every 100 ms
    // in process (no table read: the poll must not load DynamoDB Local).
    const sent = () => ackLinks(stack).length;
    const queued = async () => (await stack.faults.queueCounts())['ceptoar-advisory-deliveries'] ?? 0;
    while (sent() < expected || (await queued()) > 0) {
      if (Date.now() - issuedAt > 300_000)
        throw new Error(`only ${sent()} of ${expected} messages sent after 5 min`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const committedMs = Date.now() - issuedAt;
    const committedCpu = cpuSeconds();
    const count = async (what: 'deliveries' | 'acknowledgements') =>
      (await loadRecipients(store, id)).reduce((n, r) => n + r[what].length, 0);
    // The read model: the recipients' heads (what every view and list reads), written by the stream
    // projection after the append. Counted with one paged Query of the 2,000 heads every second.
    for (
      let delivered = await count('deliveries');
      delivered < expected;
      delivered = await count('deliveries')
    ) {
      if (Date.now() - issuedAt > 300_000)
        throw new Error(`only ${delivered} of ${expected} deliveries in the heads after 5 min`);
      if (process.env.BENCH_TRACE) console.error(`${Date.now() - issuedAt} ms: ${delivered} in the heads`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const projectedMs = Date.now() - issuedAt;
    // Per message: when its delivery event was recorded (the time the deliverer stamps on it, just before
    // the append), from the issue.
    const deliveryDelays = (await loadRecipients(store, id)).flatMap((r) =>
      r.deliveries.map((d) => Date.parse(d.at) - issuedAt),
    );

    // The links as sent: e-mail bodies and SMS texts.
    const links = ackLinks(stack);
    if (links.length !== expected) throw new Error(`found ${links.length} links, expected ${expected}`);
    const clickedCpu = cpuSeconds();
    const clickedAt = Date.now();
    const clicks = await clickAll(stack.url, links);
    // Each click answers after its append: once all have answered, every acknowledgement is recorded.
    const ackMs = Date.now() - clickedAt;
    const ackedCpu = cpuSeconds();
    // The recipients' heads, which the count reads, are written by the stream projection after the append
    // (off the command path): counted every second until they show every acknowledgement.
    for (
      let acknowledged = await count('acknowledgements');
      acknowledged < expected;
      acknowledged = await count('acknowledgements')
    ) {
      if (Date.now() - clickedAt > 600_000)
        throw new Error(`${acknowledged} of ${expected} acknowledgements counted 10 min after the clicks`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const countedMs = Date.now() - clickedAt;
    await stack.settle();
    const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
    const verdict = (ms: number) => (ms < GOAL_MS ? 'within' : 'over');
    const cores = availableParallelism();
    const cpuUsed = (from: ReturnType<typeof cpuSeconds>, to: ReturnType<typeof cpuSeconds>) => {
      const node = to.node - from.node;
      const jvm = to.jvm - from.jvm;
      const main = to.mainThread - from.mainThread;
      return `Node ${fmt(node, 1)} s (its event loop's thread ${fmt(main, 1)} s) + DynamoDB Local ${fmt(jvm, 1)} s = ${fmt(node + jvm, 1)} s: on ${cores} cores at least ${fmt((node + jvm) / cores, 1)} s`;
    };
    return [
      '## Advisory fan-out (issue 3)',
      '',
      `One advisory from the secretariat to ${ORGS.toLocaleString('en')} member organisations × 2 contacts`,
      `(${expected.toLocaleString('en')} messages: half by e-mail, half by SMS, each with its own signed link) on the`,
      'local stack (DynamoDB Local, fauxqs, SMTP and SMS catchers, eight delivery pollers), issued once the stack',
      "is idle after its start (the directory's seeding done).",
      '',
      '| measure | result | goal |',
      '| --- | --- | --- |',
      `| issue → every delivery recorded: ${expected} messages sent, each one's event appended (${ORGS} recipient streams) and its queue message deleted | ${(committedMs / 1000).toFixed(1)} s (${verdict(committedMs)}) | < ${GOAL_MS / 1000} s |`,
      `| per message, issue → its delivery event stamped, p50 / p99 | ${p50p99(deliveryDelays)} | |`,
      `| CPU used from the issue to every delivery recorded | ${cpuUsed(issuedCpu, committedCpu)} | |`,
      `| issue → every delivery shown in the recipients' heads (the stream projection's read model) | ${(projectedMs / 1000).toFixed(1)} s | |`,
      `| all ${expected} links clicked at once (${CLICK_CONCURRENCY} concurrent) → every acknowledgement recorded (the last click answered, after its append) | ${(ackMs / 1000).toFixed(1)} s (${verdict(ackMs)}) | < ${GOAL_MS / 1000} s |`,
      `| per click, request → answer (after its append), p50 / p99 | ${p50p99(clicks.latenciesMs)} | |`,
      `| CPU used from the first click to the last answer (the clicking client included) | ${cpuUsed(clickedCpu, ackedCpu)} | |`,
      `| first click → every acknowledgement counted in the recipients' heads (the stream projection's) | ${(countedMs / 1000).toFixed(1)} s | |`,
      `| of which after the last click answered | ${((countedMs - ackMs) / 1000).toFixed(1)} s | |`,
      `| clicks refused | ${clicks.refused} | 0 |`,
      `| messages sent twice (a queue message redelivered after its visibility timeout) | ${links.duplicates} | |`,
      `| peak RSS, Node (stack + handlers + bench client) | ${mb(peakRss)} | |`,
      `| peak RSS, DynamoDB Local (JVM) | ${mb(peakChildren)} | |`,
      '',
    ].join('\n');
  } finally {
    clearInterval(sampler);
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// `node --import tsx bench/advisory-fanout.ts` runs this section alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runAdvisoryFanout());
  process.exit(0);
}
