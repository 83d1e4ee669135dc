import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDirectory } from '../local/seed-directory.ts';
import { seedSectorDirectory, seedSectors } from '../local/seed-sectors.ts';
import type { LocalStack } from '../local/stack.ts';
import { auditCli } from './support/audit-cli.ts';
import { apiClient, startTestStack } from './support/local-api.ts';

/** The streams the local stack seeds: chemical's directory, the other sectors' organisations, the 18 sectors. */
const SEEDED =
  Object.keys(seedDirectory().organizations).length +
  Object.keys(seedSectorDirectory()).length +
  Object.keys(seedSectors()).length;

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
let ids: string[];

beforeAll(async () => {
  // A minute a second: no deadline of these relays passes while the file runs (its compliance figures count
  // the open hops as open, and a loaded machine took 145 s over the file: more than 72 h at the usual 3600).
  stack = await startTestStack({ checkpointSeconds: 0, timeScale: 60 });
  api = apiClient(stack.url);
  ids = [await api.report('asahi-petrochem', { title: 'Historian encrypted', tlp: 'GREEN' })];
  ids.push(
    await api.report('kaigan-chemical', {
      title: 'DCS network outage',
      category: 'system_failure',
      tlp: 'RED',
    }),
  );
  const secretariat = await api.token('secretariat');
  const approve = await api.call('POST', `/incidents/${ids[0]}/decision`, {
    token: secretariat,
    body: { decision: 'approve' },
  });
  expect(approve.status).toBe(200);
  await stack.settle();
});
afterAll(async () => {
  await stack?.stop();
});

const cli = (...args: string[]) => auditCli(stack, ...args);

describe('the audit API', () => {
  it('is for auditors only', async () => {
    for (const role of ['secretariat', 'ministry', 'nisc'])
      expect((await api.call('GET', '/audit/heads', { token: await api.token(role) })).status).toBe(403);
    expect(
      (await api.call('GET', '/audit/heads', { token: await api.token('member', 'asahi-petrochem') })).status,
    ).toBe(403);
  });

  it('replays a stream as it was at a moment, with the events up to it', async () => {
    const auditor = await api.token('auditor');
    const streamId = `incident#${ids[0]}`;
    const events = await api.events(ids[0] ?? '');
    const approved = events.find((e) => e.type === 'RelayApproved');
    const before = new Date(Date.parse(approved?.recordedAt ?? '') - 1).toISOString();
    const then = await api.call<{
      version: number;
      state: { status: string };
      events: { type: string; hash: string }[];
    }>('GET', `/audit/streams/${encodeURIComponent(streamId)}?asOf=${encodeURIComponent(before)}`, {
      token: auditor,
    });
    expect(then.status).toBe(200);
    expect(then.body.state.status).toBe('awaiting_secretariat');
    expect(then.body.events.map((e) => e.type)).not.toContain('RelayApproved');
    expect(then.body.events.every((e) => /^[0-9a-f]{64}$/.test(e.hash))).toBe(true);
    const now = await api.call<{ state: { status: string } }>(
      'GET',
      `/audit/streams/${encodeURIComponent(streamId)}`,
      { token: auditor },
    );
    expect(now.body.state.status).toBe('awaiting_ministry');
    const bad = await api.call('GET', `/audit/streams/${encodeURIComponent(streamId)}?asOf=yesterday`, {
      token: auditor,
    });
    expect(bad.status).toBe(400);
    expect(
      (await api.call('GET', '/audit/streams/incident%23nope?asOf=2000-01-01T00:00:00Z', { token: auditor }))
        .status,
    ).toBe(404);
  });

  it('lists every event of a period in recorded order, paged, and as NDJSON', async () => {
    const auditor = await api.token('auditor');
    const from = '2000-01-01T00:00:00Z';
    const all: { streamId: string; version: number; recordedAt: string }[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: typeof all; cursor: string | null } } = await api.call(
        'GET',
        `/audit/events?from=${from}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: auditor },
      );
      expect(res.status).toBe(200);
      all.push(...res.body.items);
      cursor = res.body.cursor;
    } while (cursor);
    expect(all.length).toBeGreaterThan(4);
    // Recorded time, then stream, then version as a number (one append's events share their time).
    const keys = all.map((e) => `${e.recordedAt}#${e.streamId}#${String(e.version).padStart(9, '0')}`);
    expect(keys).toEqual([...keys].sort());
    const nd = await fetch(`${stack.url}/audit/events?from=${from}`, {
      headers: { authorization: `Bearer ${auditor}`, accept: 'application/x-ndjson' },
    });
    expect(nd.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await nd.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { streamId: string; version: number });
    expect(lines.map((e) => `${e.streamId}#${e.version}`)).toEqual(
      all.map((e) => `${e.streamId}#${e.version}`),
    );
    expect((await api.call('GET', '/audit/events', { token: auditor })).status).toBe(400);
  });

  it('publishes a signed checkpoint on demand, kept read-only in the data folder', async () => {
    const auditor = await api.token('auditor');
    const res = await api.call<{ id: string; treeSize: number; signature: string }>(
      'POST',
      '/audit/checkpoints',
      { token: auditor },
    );
    expect(res.status).toBe(201);
    // Every stream's head is a leaf: the two incidents and every seeded organisation and sector.
    const heads = await api.call<{ items: unknown[] }>('GET', '/audit/heads', { token: auditor });
    expect(res.body.treeSize).toBe(heads.body.items.length);
    expect(heads.body.items.length).toBe(2 + SEEDED);
    const latest = await api.call<{ checkpoint: { id: string }; leaves: unknown[] }>(
      'GET',
      '/audit/checkpoints/latest',
      { token: auditor },
    );
    expect(latest.body.checkpoint.id).toBe(res.body.id);
    expect(latest.body.leaves).toHaveLength(res.body.treeSize);
    const file = JSON.parse(readFileSync(join(stack.dataDir, 'checkpoints', `${res.body.id}.json`), 'utf8'));
    expect(file.signature).toBe(res.body.signature);
  });
});

describe('the auditor CLI against the local stack', () => {
  it('verifies the live log, exports a period and verifies the file, exit 0', async () => {
    await stack.settle();
    const live = await cli('verify', '--live');
    const streams = 2 + SEEDED;
    expect(live.stdout).toMatch(new RegExp(`^OK: \\d+ events in ${streams} streams`));
    expect(live.code).toBe(0);
    const out = join(stack.dataDir, 'export.ndjson');
    const exported = await cli(
      'export',
      '--from',
      '2000-01-01T00:00:00Z',
      '--to',
      new Date().toISOString(),
      '--out',
      out,
    );
    expect(exported.code).toBe(0);
    const verified = await cli('verify', out, '--public-key', join(stack.dataDir, 'checkpoint-key.pub.pem'));
    expect(verified.stdout).toMatch(new RegExp(`^OK: .* ${streams} stream\\(s\\) anchored`));
    expect(verified.code).toBe(0);
    // Piped, not a terminal: no progress bar in the output.
    expect(verified.stderr).toBe('');
    // One edited byte, found on two worker threads too, with its stream and version named; exit 1.
    const lines = readFileSync(out, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"type":"RelayApproved"'));
    const { content } = JSON.parse(lines[at] ?? '{}') as { content: { streamId: string; version: number } };
    lines[at] = (lines[at] ?? '').replace('"type":"RelayApproved"', '"type":"RelayReturned"');
    const bad = join(stack.dataDir, 'tampered.ndjson');
    writeFileSync(bad, lines.join('\n'));
    const tampered = await cli(
      'verify',
      bad,
      '--workers',
      '2',
      '--public-key',
      join(stack.dataDir, 'checkpoint-key.pub.pem'),
    );
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/^FAILED/);
    expect(tampered.stdout).toContain(`content-hash\t${content.streamId}\t${content.version}\t`);
  });

  it('replays, prints a timeline in Japanese and English, and a compliance table and CSV', async () => {
    const streamId = `incident#${ids[0]}`;
    const replay = await cli('replay', streamId, '--as-of', new Date().toISOString());
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout).state.status).toBe('awaiting_ministry');
    const ja = await cli('timeline', streamId, '--lang', 'ja');
    expect(ja.stdout).toContain('IT障害の報告');
    expect(ja.stdout).toMatch(/事務局\s+期限 .* JST .*\[期限内\]/);
    const en = await cli('timeline', streamId, '--lang', 'en');
    expect(en.stdout).toMatch(/secretariat\s+due .* JST .*\[met\]/);
    expect(en.stdout).toMatch(/ministry \(METI\)\s+due .*not done/);
    const table = await cli(
      'compliance',
      '--from',
      '2000-01-01T00:00:00Z',
      '--to',
      new Date(Date.now() + 60_000).toISOString(),
    );
    expect(table.stdout).toMatch(/^hop\s+severity\s+runs\s+met/);
    expect(table.stdout).toMatch(/secretariat\s+low\s+2\s+1\s+0\s+1\s+100\.0%/);
    const csv = await cli(
      'compliance',
      '--csv',
      '--from',
      '2000-01-01T00:00:00Z',
      '--to',
      new Date(Date.now() + 60_000).toISOString(),
    );
    expect(csv.stdout.split('\r\n')[0]).toBe(
      'hop,severity,runs,met,missed,open,share_met,escalations,slowest',
    );
    expect(csv.stdout).toContain('secretariat,low,2,1,0,1,1.0000,0,');
  });

  it('exits 2 with the usage on a mistake, and 1 when a stream does not exist', async () => {
    expect((await cli('replay', 'incident#x')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli('timeline', 'incident#00000000-0000-0000-0000-000000000000')).code).toBe(1);
  });

  it('exports the period as a STIX 2.1 bundle without the RED incident', async () => {
    const out = join(stack.dataDir, 'bundle.json');
    const res = await cli(
      'export',
      '--format',
      'stix',
      '--from',
      '2000-01-01T00:00:00Z',
      '--to',
      new Date().toISOString(),
      '--out',
      out,
    );
    expect(res.code).toBe(0);
    const bundle = JSON.parse(readFileSync(out, 'utf8')) as { objects: { type: string; id: string }[] };
    expect(bundle.objects.filter((o) => o.type === 'incident').map((o) => o.id)).toEqual([
      `incident--${ids[0]}`,
    ]);
    expect(res.stderr).toContain('left out 1 RED or AMBER+STRICT');
  });
});
