import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../local/stack.ts';
import { apiClient, startTestStack } from './support/local-api.ts';

// The secretariat's read routes for the console (GET /drills, GET /directory/organizations) and
// the share preview, against the whole local stack (an hour per second; windows of 240 h).
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url);
});
afterAll(async () => {
  await stack?.stop();
});

const DRILL = {
  body: 'Acknowledge this exercise message.',
  tlp: 'GREEN',
  severity: 'low',
  ackWithinHours: 240,
};

async function post(role: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const token = await api.token(role, role === 'member' ? 'asahi-petrochem' : undefined);
  return api.call('POST', path, { token, body, headers });
}

/** Every item of the table: events, heads, idempotency records. */
async function tableItems(): Promise<number> {
  const client = new DynamoDBClient({
    endpoint: stack.dynamoEndpoint,
    region: 'ap-northeast-1',
    credentials: stack.endpoints.credentials,
  });
  let count = 0;
  let start: Record<string, never> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: stack.tableName, Select: 'COUNT', ExclusiveStartKey: start }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  client.destroy();
  return count;
}

describe('GET /drills', () => {
  it('lists the drills newest first with the rate so far, never plain advisories or contact checks', async () => {
    const first = await post('secretariat', '/drills', { ...DRILL, title: 'First drill' });
    expect(first.status).toBe(201);
    expect((await post('secretariat', '/advisories', { ...DRILL, title: 'A real advisory' })).status).toBe(
      201,
    );
    expect((await post('secretariat', '/contact-checks', { ackWithinHours: 240 })).status).toBe(201);
    const second = await post('secretariat', '/drills', { ...DRILL, title: 'Second drill' });
    const fromNisc = await post('nisc', '/drills', { ...DRILL, title: 'NISC drill' });
    expect(fromNisc.status).toBe(201);
    // A member acknowledges the second drill: its rate moves.
    const ack = await api.call('POST', `/advisories/${second.body.id}/receipt`, {
      token: await api.token('member', 'asahi-petrochem'),
      body: {},
    });
    expect(ack.status).toBe(200);

    const list = await api.call('GET', '/drills', { token: await api.token('secretariat') });
    expect(list.status).toBe(200);
    expect(list.body.items.map((d: { title: string }) => d.title)).toEqual([
      'NISC drill',
      'Second drill',
      'First drill',
    ]);
    const [nisc, secondRow, firstRow] = list.body.items;
    expect(secondRow).toMatchObject({
      id: second.body.id,
      drill: true,
      tlp: 'GREEN',
      status: 'distributed',
      ackDueAt: expect.stringMatching(/Z$/),
      ackWithinHours: 240,
      transmission: { recipients: 11, acknowledged: 1, withinWindow: 1, rate: 1 / 11 },
    });
    expect(firstRow.transmission).toMatchObject({ recipients: 11, acknowledged: 0, rate: 0 });
    // Still with the ministry: nothing distributed, no rate yet.
    expect(nisc).toMatchObject({ status: 'awaiting_ministry', transmission: null, issuerRole: 'nisc' });

    // Paged: one row at a time, the cursor moving on.
    const one = await api.call('GET', '/drills?limit=1', { token: await api.token('secretariat') });
    expect(one.body.items.map((d: { title: string }) => d.title)).toEqual(['NISC drill']);
    const next = await api.call('GET', `/drills?limit=1&cursor=${encodeURIComponent(one.body.cursor)}`, {
      token: await api.token('secretariat'),
    });
    expect(next.body.items.map((d: { title: string }) => d.title)).toEqual(['Second drill']);

    // As for the report: NISC its own drills, the ministry those that passed through it, no member.
    const asNisc = await api.call('GET', '/drills', { token: await api.token('nisc') });
    expect(asNisc.body.items.map((d: { title: string }) => d.title)).toEqual(['NISC drill']);
    const asMinistry = await api.call('GET', '/drills', { token: await api.token('ministry') });
    expect(asMinistry.body.items.map((d: { title: string }) => d.title)).toEqual(['NISC drill']);
    expect(
      (await api.call('GET', '/drills', { token: await api.token('member', 'asahi-petrochem') })).status,
    ).toBe(403);
    expect((await api.call('GET', '/drills', { token: await api.token('auditor') })).body.items).toHaveLength(
      3,
    );
  });

  it('answers a bad limit or cursor with a 400 naming it', async () => {
    const token = await api.token('secretariat');
    const limit = await api.call('GET', '/drills?limit=0', { token });
    expect(limit.status).toBe(400);
    expect(limit.body.errors).toEqual([{ path: 'limit', message: 'out of range' }]);
    const cursor = await api.call('GET', '/drills?cursor=not-a-cursor', { token });
    expect(cursor.status).toBe(400);
    expect(cursor.body.errors).toEqual([{ path: 'cursor', message: 'invalid' }]);
  });
});

describe('GET /directory/organizations', () => {
  it('lists every organisation with its names, kind, contacts count and channels', async () => {
    const res = await api.call('GET', '/directory/organizations', { token: await api.token('secretariat') });
    expect(res.status).toBe(200);
    const orgs = res.body.items.map((o: { org: string }) => o.org);
    expect(orgs).toHaveLength(14);
    expect(orgs).toEqual([...orgs].sort());
    expect(res.body.items.find((o: { org: string }) => o.org === 'kashima-resin')).toEqual({
      org: 'kashima-resin',
      kind: 'member',
      sector: 'chemical',
      member: true,
      name: { ja: '鹿島樹脂', en: 'Kashima Resin' },
      contacts: 1,
      channels: ['email', 'sms'],
      twoRoutes: true,
      updatedAt: expect.stringMatching(/Z$/),
      version: 1,
    });
    expect(res.body.items.find((o: { org: string }) => o.org === 'ministry')).toMatchObject({
      kind: 'ministry',
      member: false,
    });
    expect(
      (await api.call('GET', '/directory/organizations', { token: await api.token('auditor') })).status,
    ).toBe(200);
    // The chemical sector's ministry (METI) and NISC read it too.
    for (const role of ['ministry', 'nisc']) {
      const token = await api.token(role);
      const chemical = await api.call('GET', '/directory/organizations?sector=chemical', { token });
      expect(chemical.body.items.map((o: { org: string }) => o.org)).toEqual(orgs);
    }
  });

  it("shows a member its own organisation and its chain's (secretariat, ministry, NISC), never another member", async () => {
    const member = await api.token('member', 'asahi-petrochem');
    const res = await api.call('GET', '/directory/organizations', { token: member });
    expect(res.status).toBe(200);
    expect(res.body.items.map((o: { org: string; kind: string }) => [o.org, o.kind])).toEqual([
      ['asahi-petrochem', 'member'],
      ['ministry', 'ministry'],
      ['nisc', 'nisc'],
      ['secretariat', 'secretariat'],
    ]);
    expect(res.body.items[0]).toMatchObject({ sector: 'chemical', name: { ja: expect.any(String) } });
    // Its own sector named: the same; another sector's: nothing (a member sees one sector).
    const own = await api.call('GET', '/directory/organizations?sector=chemical', { token: member });
    expect(own.body).toEqual(res.body);
    const other = await api.call('GET', '/directory/organizations?sector=banking', { token: member });
    expect(other.status).toBe(200);
    expect(other.body.items).toEqual([]);
  });
});

describe('the share preview (POST /incidents/{id}/share?preview=true)', () => {
  it('runs every check, shows what a member would see, and writes nothing', async () => {
    const incidentId = await api.report('kashima-resin', { title: 'Kashima Resin historian encrypted' });
    const path = `/incidents/${incidentId}/share`;
    const identifying = await post('secretariat', `${path}?preview=true`, {
      title: 'Ransomware at Kashima Resin',
      body: 'Call 鹿島樹脂 CSIRT.',
      tlp: 'AMBER',
    });
    expect(identifying.status).toBe(400);
    expect(identifying.body.errors.map((e: { path: string }) => e.path)).toEqual(['title', 'body']);
    const badBody = await post('secretariat', `${path}?preview=true`, { title: '', body: 'x', tlp: 'PINK' });
    expect(badBody.status).toBe(400);
    expect(badBody.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['title', 'tlp']);
    expect((await post('member', `${path}?preview=true`, {})).status).toBe(403);
    expect((await post('secretariat', `${path}?preview=maybe`, {})).status).toBe(400);

    await stack.settle();
    const before = await tableItems();
    const shared = {
      title: 'Ransomware on a plant historian at a member company',
      body: 'A historian server was encrypted; isolate historians from the business network.',
      tlp: 'AMBER',
      ackWithinHours: 240,
    };
    const preview = await post('secretariat', `${path}?preview=true`, shared, {
      'idempotency-key': 'share-1',
    });
    expect(preview.status).toBe(200);
    expect(preview.headers.get('location')).toBeNull();
    expect(preview.body).toMatchObject({
      preview: true,
      recipients: 10,
      member: 'asahi-petrochem',
      advisory: {
        title: shared.title,
        body: shared.body,
        tlp: 'AMBER',
        drill: false,
        status: 'distributed',
        ackWithinHours: 240,
        recipient: { org: 'asahi-petrochem', acknowledgedAt: null, deliveries: [] },
      },
    });
    // A member's view: no recipient list, no link back to the incident.
    expect(preview.body.advisory).not.toHaveProperty('recipients');
    expect(preview.body.advisory).not.toHaveProperty('sourceIncidentId');
    expect(JSON.stringify(preview.body)).not.toContain(incidentId);
    await stack.settle();
    expect(await tableItems()).toBe(before);

    // The key the preview carried was not recorded: the real share with it is a new command.
    const real = await post(
      'secretariat',
      path,
      { ...shared, tlp: 'GREEN' },
      { 'idempotency-key': 'share-1' },
    );
    expect(real.status).toBe(201);
    expect(real.headers.get('idempotent-replayed')).toBeNull();
    const member = await api.call('GET', `/advisories/${real.body.id}`, {
      token: await api.token('member', 'asahi-petrochem'),
    });
    const { id: _id, createdAt: _c, distributedAt: _d, ackDueAt: _a, version: _v, ...seen } = member.body;
    const {
      id: _pid,
      createdAt: _pc,
      distributedAt: _pd,
      ackDueAt: _pa,
      version: _pv,
      ...previewed
    } = preview.body.advisory;
    // The preview is the member's view, field for field (the TLP aside, changed for the real one).
    expect({ ...seen, recipient: { ...seen.recipient, deliveries: [] } }).toEqual({
      ...previewed,
      tlp: 'GREEN',
    });
  });

  it('previews a TLP:RED share as one of the named contacts sees it', async () => {
    const incidentId = await api.report('kashima-resin');
    const res = await post('secretariat', `/incidents/${incidentId}/share?preview=true`, {
      title: 'Ransomware on a plant historian',
      body: 'Isolate historians.',
      tlp: 'RED',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ member: 'asahi-petrochem', advisory: { tlp: 'RED' } });
  });
});
