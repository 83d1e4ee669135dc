import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrganizationEntry } from '../events/directory/directory.ts';
import { ministryOf, type SectorId, sectorIds } from '../events/sector/catalog.ts';
import type { Directory } from '../functions/aggregates/directory.ts';
import { seedDirectory } from '../local/seed-directory.ts';
import { seedSectorDirectory, seedSectors } from '../local/seed-sectors.ts';
import { startLocalStack } from '../local/stack.ts';
import { ackLinks, childrenPeakRssKb, clickAll } from './advisory-fanout.ts';
import { call, fmt, loadLine, loadNow, progress, sleep, table, token } from './util.ts';

// Section "sectors": the seed map's 18 CEPTOARs with their member counts on one local stack, and one drill
// advisory from NISC to all of them (issue 9: "every delivery recorded and every (simulated) acknowledgement
// recorded, with the time, locally; goal under 60 s, reported beside the single-sector 2,000-org figure").

const GOAL_MS = 60_000;
/** How often the bench, acting for every ministry and secretariat, looks for a step it can take. */
const POLL_MS = 100;
/** At most this many members a sector (CEPTOAR_BENCH_SECTOR_CAP, a quick trial); the map's counts otherwise. */
const CAP = Number(process.env.CEPTOAR_BENCH_SECTOR_CAP ?? Number.POSITIVE_INFINITY);

/**
 * Every sector's members as the map counts them (chemical's 11 from config/directory.json; the others
 * generated, one contact each: e-mail first, SMS second), their secretariats, the ministries and NISC.
 */
export function sectorsDirectory(): Directory {
  const orgs: Record<string, OrganizationEntry> = {
    ...seedSectorDirectory(),
    ...seedDirectory().organizations,
  };
  const counts = seedSectors();
  let phones = 0;
  for (const sector of sectorIds) {
    if (sector === 'chemical') continue;
    for (let n = 1; n <= Math.min(CAP, counts[sector].members); n++) {
      const org = `${sector}-member-${n}`;
      orgs[org] = {
        kind: 'member',
        sector,
        name: { ja: `${counts[sector].names.ja} 構成員 ${n}`, en: `${counts[sector].names.en} member ${n}` },
        contacts: [
          {
            id: `${org}-duty`,
            name: 'CSIRT',
            email: `duty@${org}.bench.example`,
            phone: `+8170${String(++phones).padStart(8, '0')}`,
            lang: n % 2 ? 'ja' : 'en',
            escalation: false,
            primary: 'email',
            secondary: 'sms',
          },
        ],
      };
    }
  }
  return { organizations: orgs };
}

interface ChildFigures {
  sector: string;
  forwarded: { ministry: string | null; secretariat: string | null };
  status: string;
  recipients: number;
  delivered: number;
  acknowledged: number;
  acknowledgedWithinOneDay: number;
  oneDayRate: number | null;
}
interface ForkView {
  createdAt: string;
  overall: { recipients: number; delivered: number; acknowledged: number; oneDayRate: number | null };
  children: ChildFigures[];
}

/** Posts until the step is open (the child exists and waits on this role), then returns; throws on a refusal. */
async function forwardWhenOpen(url: string, who: string, id: string, deadline: number): Promise<number> {
  for (;;) {
    const res = await call(url, { method: 'POST', path: `/advisories/${id}/forward`, token: who, body: {} });
    if (res.status === 200) return Date.now();
    // 404: the fork's reaction has not issued the child yet; 409: the step before has not been taken.
    if ((res.status !== 404 && res.status !== 409) || Date.now() > deadline)
      throw new Error(`forward ${id}: ${res.status} ${JSON.stringify(res.body)}`);
    await sleep(POLL_MS);
  }
}

export async function sectorsFanoutSection(): Promise<string> {
  const loadStart = loadNow();
  const dataDir = mkdtempSync(join(tmpdir(), 'ceptoar-bench-sectors-'));
  const directory = sectorsDirectory();
  const members = Object.values(directory.organizations).filter((o) => o.kind === 'member').length;
  let peakRss = process.memoryUsage().rss;
  let peakChildren = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    peakChildren = Math.max(peakChildren, childrenPeakRssKb() * 1024);
  }, 200);
  progress(`sectors: starting a stack with ${Object.keys(directory.organizations).length} organisations`);
  const startedAt = performance.now();
  const stack = await startLocalStack({ dataDir, port: 0, quiet: true, directory, rateLimits: 'off' });
  // The start appends the directory (4,295 organisations); the stream projection works through those events
  // after the start returns. Measured from an idle stack: the start's backlog is not the advisory's.
  await stack.settle();
  const startSeconds = (performance.now() - startedAt) / 1000;
  try {
    const url = stack.url;
    const nisc = await token(url, 'nisc');
    const ministries = new Map<SectorId, string>();
    const secretariats = new Map<SectorId, string>();
    for (const sector of sectorIds) {
      ministries.set(sector, await token(url, 'ministry', ministryOf[sector]));
      const res = await fetch(`${url}/local/token`, {
        method: 'POST',
        body: JSON.stringify({ role: 'secretariat', sector }),
      });
      secretariats.set(sector, ((await res.json()) as { token: string }).token);
    }

    const issuedAt = Date.now();
    const issued = await call(url, {
      method: 'POST',
      path: '/advisories',
      token: nisc,
      body: {
        title: '【訓練】全分野 情報伝達訓練',
        body: '訓練です。受領を確認してください。',
        tlp: 'GREEN',
        severity: 'medium',
        ackWithinHours: 24,
        drill: true,
        sectors: 'all',
      },
    });
    if (issued.status !== 201) throw new Error(`issue: ${issued.status} ${JSON.stringify(issued.body)}`);
    const fork = issued.body as { id: string; children: { sector: SectorId; advisoryId: string }[] };
    if (fork.children.length !== sectorIds.length) throw new Error(`${fork.children.length} children`);
    // Every ministry and secretariat forwards as soon as its step is open, each chain on its own.
    const deadline = issuedAt + 300_000;
    const forwarded = await Promise.all(
      fork.children.map(async (c) => {
        await forwardWhenOpen(url, ministries.get(c.sector) ?? '', c.advisoryId, deadline);
        return (
          (await forwardWhenOpen(url, secretariats.get(c.sector) ?? '', c.advisoryId, deadline)) - issuedAt
        );
      }),
    );
    const view = async () =>
      (await call(url, { method: 'GET', path: `/advisories/${fork.id}`, token: nisc })).body as ForkView;
    // Counted from the parent's per-sector figures (each child's recipient heads) every 2 s, as section 4 counts: the figure is good to 2 s.
    for (let v = await view(); v.overall.delivered < members; v = await view()) {
      if (Date.now() > deadline)
        throw new Error(`only ${v.overall.delivered} of ${members} deliveries after 5 min`);
      await sleep(2000);
    }
    const deliveryMs = Date.now() - issuedAt;
    progress(
      `sectors: every chain forwarded after ${fmt(Math.max(...forwarded) / 1000)} s, every delivery recorded after ${fmt(deliveryMs / 1000)} s`,
    );

    // Each member's one contact got one message with its signed link (the chain's own requests carry none).
    const links = ackLinks(stack);
    if (links.length !== members) throw new Error(`found ${links.length} links, expected ${members}`);
    const clickedAt = Date.now();
    const failed = (await clickAll(url, links)).refused;
    const clickMs = Date.now() - clickedAt;
    // Every click answered after its acknowledgement was appended: all are recorded now.
    const totalMs = Date.now() - issuedAt;
    progress(`sectors: ${links.length} links clicked in ${fmt(clickMs / 1000)} s, ${failed} refused`);
    // Each click answers once its acknowledgement is appended; NISC's view counts it once the stream
    // projection has updated the recipient's head (off the command path): polled every 2 s.
    let final = await view();
    while (final.overall.acknowledged < members) {
      if (Date.now() > deadline + 300_000)
        throw new Error(
          `${final.overall.acknowledged} of ${members} acknowledgements counted after the clicks`,
        );
      await sleep(2000);
      final = await view();
    }
    const countedMs = Date.now() - clickedAt;
    await stack.settle();

    const s = (ms: number) => `${fmt(ms / 1000)} s`;
    const verdict = (ms: number) => (ms < GOAL_MS ? 'met' : '**missed**');
    const after = (at: string | null) =>
      at === null ? '—' : fmt((Date.parse(at) - Date.parse(final.createdAt)) / 1000);
    const rows = [...final.children]
      .sort((a, b) => b.recipients - a.recipients)
      .map((c) => [
        c.sector,
        after(c.forwarded.ministry),
        after(c.forwarded.secretariat),
        fmt(c.recipients, 0),
        fmt(c.delivered, 0),
        fmt(c.acknowledged, 0),
        c.oneDayRate === null ? '—' : `${fmt(c.oneDayRate * 100, 0)} %`,
      ]);
    const loadEnd = loadNow();
    return [
      `The seed map's ${sectorIds.length} CEPTOARs with their member counts (${fmt(members, 0)} member organisations, one`,
      `contact each; ${fmt(Object.keys(directory.organizations).length, 0)} organisations with the secretariats, ministries and NISC) on one local stack`,
      `(its start, seeding them all, took ${fmt(startSeconds)} s until the stack was idle, not counted). NISC issues one drill advisory to every`,
      "sector: it forks into 18 chains (NISC → the sector's ministry → its secretariat → its members); the bench",
      `acts for the 5 ministries and 18 secretariats, each forwarding as soon as its step is open (tried every ${POLL_MS} ms),`,
      "then counts the deliveries from NISC's view of the fork (every 2 s) and clicks every member's signed",
      `link (64 at once) once all are delivered. Beside it, section 4's one sector: 2,000 organisations × 2 contacts.`,
      '',
      table(
        ['measure', 'result', 'goal'],
        [
          [
            'issue → every chain forwarded by its ministry and secretariat (slowest chain)',
            s(Math.max(...forwarded)),
            '',
          ],
          [`issue → every delivery recorded (${fmt(members, 0)} recipients)`, s(deliveryMs), ''],
          [
            `all ${fmt(members, 0)} links clicked (64 concurrent) → every acknowledgement recorded (the last click answered)`,
            s(clickMs),
            '',
          ],
          ["first click → every acknowledgement counted in NISC's view of the fork", s(countedMs), ''],
          ['of which after the last click answered', s(countedMs - clickMs), ''],
          [
            '**issue → every delivery and every acknowledgement recorded**',
            s(totalMs),
            `< 60 s: ${verdict(totalMs)}`,
          ],
          ['clicks refused', String(failed), '0'],
          [
            "acknowledged within one day (NISC's overall figure)",
            final.overall.oneDayRate === null ? '—' : `${fmt(final.overall.oneDayRate * 100, 0)} %`,
            '100 %',
          ],
          ['peak RSS, Node (stack + handlers + bench client)', `${Math.round(peakRss / 1048576)} MB`, ''],
          ['peak RSS, DynamoDB Local (JVM)', `${Math.round(peakChildren / 1048576)} MB`, ''],
        ],
      ),
      '',
      'Per sector, as NISC reads them at the end:',
      '',
      table(
        [
          'sector',
          "ministry forwarded (s after NISC's issue)",
          'secretariat forwarded (s)',
          'recipients',
          'delivered',
          'acknowledged',
          'within one day',
        ],
        rows,
      ),
      '',
      loadLine(loadStart, loadEnd),
    ].join('\n');
  } finally {
    clearInterval(sampler);
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// `node --import tsx bench/sectors-fanout.ts` runs this section alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await sectorsFanoutSection());
  process.exit(0);
}
