import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyInclusion } from '../events/audit/merkle.ts';
import { groupPartitions } from '../events/audit/partitions.ts';
import { compareStreamIds, readHeadsPage } from '../functions/audit/audit-log.ts';
import { DynamoDbBatchHeadReader } from '../functions/store/batch-heads.ts';
import type { LocalStack } from '../local/stack.ts';
import { auditCli } from './support/audit-cli.ts';
import { RANSOMWARE_REPORT, VPN_ADVISORY } from './support/fixtures.ts';
import { apiClient, startTestStack } from './support/local-api.ts';

// Chemical and banking each report an incident and issue an advisory; an auditor granted banking
// reads the audit routes and must meet banking's streams only, where an auditor of every sector
// meets both.
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
let all: string;
let banking: string;
const START = new Date(Date.now() - 60_000).toISOString();
const made: Record<
  'chemical' | 'banking',
  { incident: string; advisory: string; activity: string; member: string }
> = {
  chemical: { incident: '', advisory: '', activity: '', member: 'asahi-petrochem' },
  banking: { incident: '', advisory: '', activity: '', member: 'banking-member-1' },
};
const FY = 2026;

const cli = (...args: string[]) => auditCli(stack, ...args);

async function token(body: Record<string, string>): Promise<string> {
  const res = await api.call<{ token: string }>('POST', '/local/token', { body });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

const streamsOf = (sector: 'chemical' | 'banking') => {
  const m = made[sector];
  return [
    `incident#${m.incident}`,
    `advisory#${m.advisory}`,
    `advisory-recipient#${m.advisory}#${m.member}`,
    `organization#${m.member}`,
    `sector#${sector}`,
    `activity#${m.activity}`,
    `plan#${sector}#${FY}`,
  ];
};

beforeAll(async () => {
  stack = await startTestStack({ checkpointSeconds: 0 });
  api = apiClient(stack.url);
  for (const [sector, secretariat] of [
    ['chemical', { role: 'secretariat' }],
    ['banking', { role: 'secretariat', sector: 'banking' }],
  ] as const) {
    const reported = await api.call('POST', '/incidents', {
      token: await token({ role: 'member', org: made[sector].member }),
      body: { ...RANSOMWARE_REPORT, severity: 'low', detectedAt: START },
    });
    const advisory = await api.call('POST', '/advisories', {
      token: await token(secretariat),
      body: { ...VPN_ADVISORY, tlp: 'GREEN' },
    });
    // A secretariat's own records: an activity and next year's plan, streams of its sector.
    const activity = await api.call('POST', '/activities', {
      token: await token(secretariat),
      body: {
        date: `${FY}-06-12`,
        kind: 'wg-meeting',
        title: 'WG',
        participants: { organizations: [], people: [] },
      },
    });
    const plan = await api.call('PUT', `/reports/${sector}/${FY}/plan`, {
      token: await token(secretariat),
      body: { sections: [{ heading: '計画', body: '訓練を行う' }] },
    });
    expect(reported.status, JSON.stringify(reported.body)).toBe(201);
    expect(advisory.status, JSON.stringify(advisory.body)).toBe(201);
    expect(activity.status, JSON.stringify(activity.body)).toBe(201);
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    made[sector].incident = reported.body.id;
    made[sector].advisory = advisory.body.id;
    made[sector].activity = activity.body.id;
  }
  await stack.settle();
  all = await token({ role: 'auditor' });
  banking = await token({ role: 'auditor', sector: 'banking' });
  expect((await api.call('POST', '/audit/checkpoints', { token: all })).status).toBe(201);
}, 300_000);
afterAll(async () => {
  await stack?.stop();
});

type Head = { streamId: string; version: number };

/** GET /audit/heads?<query> page after page: every head, and each page's size. */
async function headPages(who: string, query: string): Promise<{ heads: Head[]; sizes: number[] }> {
  const heads: Head[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const q: string = `${query}${cursor ? `&cursor=${cursor}` : ''}`;
    const res: { status: number; body: { items: Head[]; cursor: string | null } } = await api.call(
      'GET',
      `/audit/heads?${q}`,
      { token: who },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    heads.push(...res.body.items);
    sizes.push(res.body.items.length);
    cursor = res.body.cursor;
  } while (cursor);
  return { heads, sizes };
}

describe('an auditor granted one sector', () => {
  it("lists its sector's heads only, with the ministry and NISC that serve it", async () => {
    const everything = await api.call('GET', '/audit/heads', { token: all });
    const own = await api.call('GET', '/audit/heads', { token: banking });
    expect(own.status).toBe(200);
    const ids = new Set<string>(own.body.items.map((h: { streamId: string }) => h.streamId));
    const allIds = new Set<string>(everything.body.items.map((h: { streamId: string }) => h.streamId));
    for (const id of streamsOf('chemical')) {
      expect(allIds.has(id), id).toBe(true);
      expect(ids.has(id), id).toBe(false);
    }
    for (const id of [...streamsOf('banking'), 'organization#fsa', 'organization#nisc']) {
      expect(ids.has(id), id).toBe(true);
    }
    expect(ids.has('organization#meti')).toBe(false);
    // No other sector at all: every sector stream listed is banking's, every head one the full list has.
    expect([...ids].filter((id) => id.startsWith('sector#'))).toEqual(['sector#banking']);
    expect([...ids].every((id) => allIds.has(id))).toBe(true);
    expect([...ids].some((id) => /^organization#(gas|water|telecom)-/.test(id))).toBe(false);
  });

  it('pages the heads in stream-id order with a cursor, for every sector and for one, each page as the one-page list', async () => {
    for (const who of [all, banking]) {
      const whole = await api.call('GET', '/audit/heads', { token: who });
      expect(whole.body.cursor).toBeNull();
      const ids = whole.body.items.map((h: Head) => h.streamId);
      expect([...ids].sort(compareStreamIds)).toEqual(ids);
      const paged = await headPages(who, 'limit=9');
      expect(paged.heads).toEqual(whole.body.items);
      expect(paged.sizes.length).toBeGreaterThan(1);
      expect(paged.sizes.slice(0, -1).every((n) => n === 9)).toBe(true);
    }
  });

  it('lists one stream type with ?type=, as the whole list has it, paged too', async () => {
    const list = async (who: string, query: string) =>
      (await headPages(who, query)).heads.map((h) => h.streamId);
    for (const who of [all, banking]) {
      const whole = await list(who, 'limit=20000');
      for (const type of ['advisory', 'organization', 'sector', 'incident', 'plan']) {
        const expected = whole.filter((id) => id.startsWith(`${type}#`));
        expect(expected.length, type).toBeGreaterThan(0);
        expect(await list(who, `type=${type}`), type).toEqual(expected);
        expect(await list(who, `type=${type}&limit=2`), type).toEqual(expected);
      }
      // advisory-recipient#… is not advisory's, though it starts with the same word.
      expect(whole.some((id) => id.startsWith('advisory-recipient#'))).toBe(true);
      expect(await list(who, 'type=no-such-type')).toEqual([]);
    }
    // A cursor past the type's streams: nothing more, not an error.
    const past = `h.${Buffer.from('survey#x').toString('base64url')}`;
    const res = await api.call('GET', `/audit/heads?type=advisory&cursor=${past}`, { token: all });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], cursor: null });
    for (const type of ['Advisory', 'advisory#', '1x', 'a'.repeat(33)]) {
      expect(
        (await api.call('GET', `/audit/heads?type=${encodeURIComponent(type)}`, { token: all })).status,
      ).toBe(400);
    }
  });

  it("reads a one-sector auditor's heads from its sector's partitions and shared's only, page after page", async () => {
    const client = new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: 'ap-northeast-1',
      credentials: stack.endpoints.credentials,
    });
    // Every byHead partition the reads query.
    const queried = new Set<string>();
    client.middlewareStack.add(
      (next) => (args) => {
        const input = args.input as {
          IndexName?: string;
          ExpressionAttributeValues?: Record<string, { S?: string }>;
        };
        if (input.IndexName === 'byHead') queried.add(input.ExpressionAttributeValues?.[':pk']?.S ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'partitionsQueried' },
    );
    // The scope's module reads the stack's environment at import: imported once the stack runs.
    const { AuditScope } = await import('../functions/audit/audit-scope.ts');
    try {
      const scope = () =>
        new AuditScope(
          { kind: 'user', sub: 'test', role: 'auditor', sector: 'banking' },
          new DynamoDbBatchHeadReader(client, stack.tableName),
        );
      const whole = await readHeadsPage(client, stack.tableName, scope(), { after: '', limit: 20_000 });
      const heads: string[] = [];
      const sizes: number[] = [];
      let after: string | null = '';
      while (after !== null) {
        const page = await readHeadsPage(client, stack.tableName, scope(), { after, limit: 6, examine: 20 });
        heads.push(...page.items.map((h) => h.streamId));
        sizes.push(page.items.length);
        after = page.cursor;
      }
      expect(heads).toEqual(whole.items.map((h) => h.streamId));
      expect(sizes.length).toBeGreaterThan(2);
      // Banking's own partitions and shared's (ministries, NISC, multi-sector streams), never another sector's.
      expect([...queried].sort()).toEqual(groupPartitions('h', ['banking', 'shared']).sort());
      // And the banking streams are all there: its sector, its secretariat, its members, its incident.
      expect(heads).toContain('sector#banking');
      expect(heads.some((id) => id.startsWith('incident#'))).toBe(true);
      // Shared holds the streams of no one sector: no incident, and no advisory recipient (its delivery
      // events carry its advisory's sector, so its head is born in that sector's partitions).
      for (const partition of groupPartitions('h', ['shared'])) {
        const { Items = [] } = await client.send(
          new QueryCommand({
            TableName: stack.tableName,
            IndexName: 'byHead',
            KeyConditionExpression: 'hPk = :pk',
            ExpressionAttributeValues: { ':pk': { S: partition } },
          }),
        );
        for (const item of Items)
          expect(item.hSk?.S ?? '').not.toMatch(/^(incident|advisory|advisory-recipient|activity|sector)#/);
      }
    } finally {
      client.destroy();
    }
  });

  it('refuses a cursor it did not give, and a limit out of range (400)', async () => {
    const junk = `h.${Buffer.from('not a stream id').toString('base64url')}`;
    for (const q of ['cursor=abc', `cursor=${junk}`, 'cursor=h.%FF', 'limit=0', 'limit=20001']) {
      const res = await api.call('GET', `/audit/heads?${q}`, { token: all });
      expect(res.status, q).toBe(400);
      expect(res.headers.get('content-type'), q).toBe('application/problem+json');
    }
  });

  it("reads its sector's events of a period only, as JSON pages and as NDJSON", async () => {
    const own = new Set<string>();
    let cursor: string | null = null;
    do {
      const q: string = new URLSearchParams({
        from: START,
        limit: '7',
        ...(cursor ? { cursor } : {}),
      }).toString();
      const res = await api.call('GET', `/audit/events?${q}`, { token: banking });
      expect(res.status).toBe(200);
      for (const e of res.body.items as { streamId: string }[]) own.add(e.streamId);
      cursor = res.body.cursor;
    } while (cursor);
    expect(own.has(`incident#${made.banking.incident}`)).toBe(true);
    expect(own.has(`advisory-recipient#${made.banking.advisory}#banking-member-1`)).toBe(true);
    expect(own.has(`activity#${made.banking.activity}`)).toBe(true);
    expect(own.has(`plan#banking#${FY}`)).toBe(true);
    for (const id of streamsOf('chemical')) expect(own.has(id), id).toBe(false);
    const everything = await api.call('GET', `/audit/events?from=${encodeURIComponent(START)}&limit=1000`, {
      token: all,
    });
    const allStreams = new Set(everything.body.items.map((e: { streamId: string }) => e.streamId));
    expect(allStreams.has(`incident#${made.chemical.incident}`)).toBe(true);

    const ndjson = await api.call('GET', `/audit/events?from=${encodeURIComponent(START)}&limit=10000`, {
      token: banking,
      headers: { accept: 'application/x-ndjson' },
    });
    expect(ndjson.status).toBe(200);
    const lines = String(ndjson.body)
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { streamId: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines.map((l) => l.streamId))).toEqual(own);
  });

  it("counts its sector's incidents only in the compliance report", async () => {
    const total = (body: { stages: { total: number }[]; rows: { total: number }[] }) => ({
      stages: body.stages.reduce((n, s) => n + s.total, 0),
      rows: body.rows.reduce((n, r) => n + r.total, 0),
    });
    const q = `from=${encodeURIComponent(START)}`;
    const everything = await api.call('GET', `/audit/compliance?${q}`, { token: all });
    const own = await api.call('GET', `/audit/compliance?${q}`, { token: banking });
    const gas = await api.call('GET', `/audit/compliance?${q}`, {
      token: await token({ role: 'auditor', sector: 'gas' }),
    });
    expect(own.status).toBe(200);
    // Two incidents (one a sector) over every sector, one over banking's, none over gas's.
    expect(total(everything.body).stages).toBe(2 * total(own.body).stages);
    expect(total(own.body).stages).toBeGreaterThan(0);
    expect(total(everything.body).rows).toBe(2 * total(own.body).rows);
    expect(total(gas.body)).toEqual({ stages: 0, rows: 0 });
  });

  it("replays its sector's streams and finds no other sector's (404)", async () => {
    for (const id of streamsOf('banking')) {
      const res = await api.call('GET', `/audit/streams/${encodeURIComponent(id)}`, { token: banking });
      expect(res.status, id).toBe(200);
    }
    for (const id of streamsOf('chemical')) {
      const res = await api.call('GET', `/audit/streams/${encodeURIComponent(id)}`, { token: banking });
      expect(res.status, id).toBe(404);
      const full = await api.call('GET', `/audit/streams/${encodeURIComponent(id)}`, { token: all });
      expect(full.status, id).toBe(200);
    }
  });

  it("sees the whole signed checkpoint but only its streams' leaves, each with a proof to the root; another sector's proof is 404", async () => {
    const everything = await api.call('GET', '/audit/checkpoints/latest', { token: all });
    const own = await api.call('GET', '/audit/checkpoints/latest', { token: banking });
    expect(own.status).toBe(200);
    expect(own.body.checkpoint).toEqual(everything.body.checkpoint);
    expect(everything.body.proofs).toBeUndefined();
    const heads = await api.call('GET', '/audit/heads', { token: banking });
    const ownIds = new Set(heads.body.items.map((h: { streamId: string }) => h.streamId));
    const leaves = own.body.leaves as { streamId: string; version: number; hash: string }[];
    expect(leaves.length).toBeGreaterThan(0);
    expect(leaves.length).toBeLessThan(everything.body.leaves.length);
    expect(leaves.every((l) => ownIds.has(l.streamId))).toBe(true);
    const { rootHash, treeSize } = own.body.checkpoint;
    expect(own.body.proofs).toHaveLength(leaves.length);
    for (const p of own.body.proofs as {
      streamId: string;
      version: number;
      hash: string;
      leafIndex: number;
      path: string[];
    }[]) {
      expect(verifyInclusion(p, p.leafIndex, treeSize, p.path, rootHash), p.streamId).toBe(true);
    }
    const proofOf = (id: string, t: string) =>
      api.call('GET', `/audit/checkpoints/latest/proof?stream=${encodeURIComponent(id)}`, { token: t });
    expect((await proofOf(`incident#${made.banking.incident}`, banking)).status).toBe(200);
    expect((await proofOf(`incident#${made.chemical.incident}`, banking)).status).toBe(404);
    expect((await proofOf(`incident#${made.chemical.incident}`, all)).status).toBe(200);
  });

  it("pages a checkpoint's leaves (and a one-sector auditor's proofs) by the checkpoint's id, each page as the one-page answer", async () => {
    type Body = { checkpoint: { id: string }; leaves: unknown[]; proofs?: unknown[]; cursor: string | null };
    for (const who of [all, banking]) {
      const whole = await api.call<Body>('GET', '/audit/checkpoints/latest', { token: who });
      expect(whole.body.cursor).toBeNull();
      const leaves: unknown[] = [];
      const proofs: unknown[] = [];
      let pages = 0;
      let path: string | null = '/audit/checkpoints/latest?limit=7';
      while (path) {
        const res: { status: number; body: Body } = await api.call('GET', path, { token: who });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.checkpoint).toEqual(whole.body.checkpoint);
        leaves.push(...res.body.leaves);
        proofs.push(...(res.body.proofs ?? []));
        pages++;
        const { cursor } = res.body;
        path = cursor ? `/audit/checkpoints/${res.body.checkpoint.id}?limit=7&cursor=${cursor}` : null;
      }
      expect(pages).toBeGreaterThan(1);
      expect(leaves).toEqual(whole.body.leaves);
      expect(proofs).toEqual(whole.body.proofs ?? []);
    }
    const refused = [
      [all, 'cursor=abc'],
      [all, 'cursor=l.99999999'],
      [all, 'cursor=l.01'],
      [all, 'limit=20001'],
      [banking, 'limit=4001'],
    ] as const;
    for (const [who, q] of refused) {
      const res = await api.call('GET', `/audit/checkpoints/latest?${q}`, { token: who });
      expect(res.status, q).toBe(400);
      expect(res.headers.get('content-type'), q).toBe('application/problem+json');
    }
  });

  it("reads every page in the CLI's API source: heads and the checkpoint's leaves and proofs, as one page has them", async () => {
    const { ApiSource } = await import('../audit/source.ts');
    const env = { PORT: new URL(stack.url).port, CEPTOAR_DATA_DIR: stack.dataDir };
    for (const sector of [undefined, 'banking' as const]) {
      const whole = await ApiSource.local(env, sector);
      const paged = await ApiSource.local(env, sector, 5);
      const heads = await whole.heads();
      expect(heads.length).toBeGreaterThan(10);
      expect(await paged.heads()).toEqual(heads);
      const checkpoint = await whole.latestCheckpoint();
      expect(checkpoint?.leaves.length).toBeGreaterThan(10);
      expect(await paged.latestCheckpoint()).toEqual(checkpoint);
    }
  });

  it("exports its sector's streams only, with proofs that verify against the signed checkpoint, and a STIX bundle of its incidents", async () => {
    const out = join(stack.dataDir, 'banking-export.ndjson');
    const to = new Date().toISOString();
    const exported = await cli('export', '--from', START, '--to', to, '--out', out, '--sector', 'banking');
    expect(exported.code, exported.stderr).toBe(0);
    const records = readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; streamId?: string; proof?: unknown });
    const streams = records.filter((r) => r.kind === 'stream');
    expect(streams.map((r) => r.streamId)).toContain(`incident#${made.banking.incident}`);
    for (const id of streamsOf('chemical'))
      expect(
        records.some((r) => r.streamId === id),
        id,
      ).toBe(false);
    // Streams the published checkpoint covers carry a proof.
    expect(streams.find((r) => r.streamId === `incident#${made.banking.incident}`)?.proof).not.toBeNull();
    const verified = await cli('verify', out);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);

    const bundle = join(stack.dataDir, 'banking.stix.json');
    const stix = await cli(
      'export',
      '--from',
      START,
      '--to',
      to,
      '--out',
      bundle,
      '--format',
      'stix',
      '--sector',
      'banking',
    );
    expect(stix.code, stix.stderr).toBe(0);
    const text = readFileSync(bundle, 'utf8');
    expect(text).toContain(made.banking.incident);
    expect(text).not.toContain(made.chemical.incident);
    expect(text).not.toContain(made.chemical.advisory);

    expect((await cli('verify', '--live', '--sector', 'banking')).code).toBe(2);
    expect((await cli('export', '--from', START, '--to', to, '--out', out, '--sector', 'fishing')).code).toBe(
      2,
    );
    // Each CLI run starts node with tsx: a minute or more on a loaded machine.
  }, 240_000);
});
