import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADVISORY_EXAMPLE, EXAMPLE, EXERCISE_EXAMPLE, SURVEY_EXAMPLE } from '../functions/api-contract.ts';
import { functions } from '../functions/manifest.ts';
import type { LocalStack } from '../local/stack.ts';
import { OPENAPI_FILE } from '../scripts/openapi.ts';
import { apiClient, eventually, startTestStack } from './support/local-api.ts';

/**
 * The document and the handlers agree: every route of the manifest is documented and every
 * documented operation is a route; for each operation, a request built from the document's own
 * examples (its body, query and header examples; only the example ids are swapped for ones this
 * test created, in the state the route needs) is answered, on the local stack, with the
 * documented success status and a body that validates against the documented schema.
 */

// biome-ignore lint/suspicious/noExplicitAny: the document is read as the JSON it is.
type Json = any;
const doc: Json = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
const METHODS = ['get', 'post', 'put', 'delete'] as const;

const operations = Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m]).map((m) => ({ key: `${m.toUpperCase()} ${path}`, path, op: item[m] })),
);

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema({ ...doc, $id: 'openapi.json' });
/** Validates against a schema of the document, its `#/components/…` references resolved. */
const validate = (pointer: string, value: unknown) => {
  const check = ajv.compile({ $ref: `openapi.json#${pointer}` });
  return check(value) ? null : check.errors;
};
const esc = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
/** Per route: the example values it gets instead (ids in the state the route needs), and who calls. */
const targets = new Map<string, { swap: Record<string, string>; role?: string }>();

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url);
  const sec = await api.token('secretariat');
  const decide = async (id: string) =>
    expect(
      (await api.call('POST', `/incidents/${id}/decision`, { token: sec, body: { decision: 'approve' } }))
        .status,
    ).toBe(200);
  const receipt = async (id: string, role: string) =>
    expect(
      (await api.call('POST', `/incidents/${id}/receipt`, { token: await api.token(role), body: {} })).status,
    ).toBe(200);
  const [open, forReview, approved, relayed] = [
    await api.report(),
    await api.report(),
    await api.report(),
    await api.report(),
  ];
  await decide(approved);
  await decide(relayed);
  await receipt(relayed, 'ministry');
  await receipt(relayed, 'nisc');
  const fromNisc = await api.advisory('nisc');
  const distributed = await api.advisory('secretariat');
  const drill = (
    await api.call('POST', '/drills', { token: sec, body: { title: 'Drill', body: 'x', tlp: 'GREEN' } })
  ).body.id as string;
  const check = (await api.call('POST', '/contact-checks', { token: sec, body: {} })).body.id as string;
  const link = await eventually(
    async () =>
      stack.mail
        .messages()
        .filter((m) => m.text.includes(`/advisories/${distributed}`))
        .map((m) => /\/ack\/([\w.-]+)/.exec(m.text)?.[1])
        .find((l) => l !== undefined),
    20_000,
    'an acknowledgement link',
  );
  // Two exercises: one planned (to start, read and report on), one running (to end).
  const nisc = await api.token('nisc');
  const prepare = async () =>
    (await api.call('POST', '/exercises', { token: nisc, body: EXERCISE_EXAMPLE })).body.id as string;
  const planned = await prepare();
  const running = await prepare();
  expect((await api.call('POST', `/exercises/${running}/start`, { token: nisc, body: {} })).status).toBe(200);
  // Surveys: one issued with a complete draft of asahi-petrochem's, one draft to edit and issue, one to close.
  const survey = async (issue: boolean) => {
    const id = (
      await api.call('POST', '/surveys', { token: sec, body: { definition: SURVEY_EXAMPLE, tlp: 'GREEN' } })
    ).body.id as string;
    if (issue)
      await api.call('POST', `/surveys/${id}/issue`, { token: sec, body: { dueAt: '2099-01-01T00:00:00Z' } });
    return id;
  };
  const [surveyOpen, surveyDraft, surveyToClose] = [
    await survey(true),
    await survey(false),
    await survey(true),
  ];
  await api.call('PUT', `/surveys/${surveyOpen}/response`, {
    token: await api.token('member', 'asahi-petrochem'),
    body: { answers: { policy: 'no', 'c-access': 1 } },
  });
  const incident = (id: string) => ({ [EXAMPLE.incidentId]: id });
  const set = (key: string, swap: Record<string, string>, role?: string) =>
    targets.set(key, { swap, ...(role ? { role } : {}) });
  set('POST /incidents/{id}/follow-ups', incident(open));
  set('POST /incidents/{id}/decision', incident(forReview));
  set('POST /incidents/{id}/receipt', incident(approved), 'ministry');
  set('POST /incidents/{id}/close', incident(relayed));
  set('GET /incidents/{id}', incident(open));
  set('GET /incidents/{id}/events', incident(open));
  set('POST /incidents/{id}/share', incident(open));
  set('POST /advisories/{id}/forward', { [EXAMPLE.advisoryId]: fromNisc }, 'ministry');
  set('POST /advisories/{id}/receipt', { [EXAMPLE.advisoryId]: distributed });
  set('GET /advisories/{id}', { [EXAMPLE.advisoryId]: distributed });
  set('GET /ack/{token}', { [EXAMPLE.ackToken]: link });
  set('POST /ack/{token}', { [EXAMPLE.ackToken]: link });
  set('GET /drills/{id}/report', { [EXAMPLE.drillId]: drill });
  set('GET /contact-checks/{id}', { [EXAMPLE.contactCheckId]: check });
  set('GET /exercises/{id}', { [EXAMPLE.exerciseId]: planned });
  set('GET /exercises/{id}/report', { [EXAMPLE.exerciseId]: planned });
  set('POST /exercises/{id}/start', { [EXAMPLE.exerciseId]: planned });
  set('POST /exercises/{id}/end', { [EXAMPLE.exerciseId]: running });
  set('GET /audit/streams/{id}', { [EXAMPLE.streamId]: `incident#${open}` });
  const surveyAt = (id: string) => ({ [EXAMPLE.surveyId]: id });
  for (const key of [
    'GET /surveys/{id}',
    'GET /surveys/{id}/response',
    'PUT /surveys/{id}/response',
    'POST /surveys/{id}/response/submit',
    'GET /surveys/{id}/results',
  ] as const)
    set(key, surveyAt(surveyOpen));
  set('GET /surveys/{id}/recipients', surveyAt(surveyOpen), 'secretariat');
  set('POST /surveys/{id}/free-text/{questionId}/release', surveyAt(surveyOpen), 'secretariat');
  set('PUT /surveys/{id}', surveyAt(surveyDraft), 'secretariat');
  set('POST /surveys/{id}/issue', surveyAt(surveyDraft), 'secretariat');
  set('POST /surveys/{id}/close', surveyAt(surveyToClose), 'secretariat');
  set('GET /audit/checkpoints/{id}/proof', { [EXAMPLE.streamId]: `incident#${open}` });
  // An activity with minutes, for its routes; then a checkpoint, which the fiscal-year report needs.
  const activity = (
    await api.call('POST', '/activities', {
      token: sec,
      body: { date: '2026-06-12', kind: 'wg-meeting', title: 'WG' },
    })
  ).body.id as string;
  const attached = await fetch(`${stack.url}/activities/${activity}/minutes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sec}`, 'content-type': 'text/plain' },
    body: 'minutes',
  });
  expect(attached.status).toBe(201);
  set('GET /activities/{id}', { [EXAMPLE.activityId]: activity });
  set('POST /activities/{id}/minutes', { [EXAMPLE.activityId]: activity });
  set('GET /activities/{id}/minutes/{n}', { [EXAMPLE.activityId]: activity });
  expect((await api.call('POST', '/audit/checkpoints', { token: await api.token('auditor') })).status).toBe(
    201,
  );
}, 120_000);
/** Every request the test made, for the closing count. */
const asked: string[] = [];
afterAll(async () => {
  await stack?.stop();
  console.log(
    `${operations.length} documented operations, ${asked.length} requests built from their examples`,
  );
});

describe('the OpenAPI document and the handlers', () => {
  it('document every route of the manifest, and only those', () => {
    const manifest = functions.flatMap((f) =>
      'routes' in f ? f.routes.map((r) => `${r.method} ${r.path}`) : [],
    );
    expect(operations.map((o) => o.key).sort()).toEqual([...manifest].sort());
  });

  it('is served at GET /openapi.json without a token, as committed', async () => {
    const res = await api.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(doc);
  });

  it.each(operations.map((o) => [o.key, o] as const))(
    '%s answers the request built from its examples as documented',
    async (key, { path, op }) => {
      const target = targets.get(key) ?? { swap: {} };
      const swap = (v: string) => target.swap[v] ?? v;
      const params: Json[] = op.parameters ?? [];
      let url = path;
      for (const p of params.filter((p) => p.in === 'path'))
        url = url.replace(`{${p.name}}`, encodeURIComponent(swap(String(p.schema.example ?? p.example))));
      const query = new URLSearchParams();
      for (const p of params.filter((p) => p.in === 'query' && p.required))
        query.set(p.name, swap(String(p.schema.example)));
      const headers: Record<string, string> = {};
      for (const p of params.filter((p) => p.in === 'header'))
        headers[p.name] = `${p.schema.example}-${op.operationId}`;
      const media = op.requestBody?.content?.['application/json'];
      // A body that is not JSON (an uploaded file): the example of the media type that has one.
      const [rawType, raw] = media
        ? []
        : ((Object.entries(op.requestBody?.content ?? {}) as [string, Json][]).find(
            ([, m]) => m.example !== undefined,
          ) ?? []);
      const method = key.split(' ')[0] as string;
      // A read is asked by every role it allows (their views differ); a command once, by its first role.
      const allowed: (string | undefined)[] = target.role
        ? [target.role]
        : (op.security?.[0]?.cognito ?? [undefined]);
      for (const role of method === 'GET' ? allowed : allowed.slice(0, 1)) {
        const res = await api.call(method, `${url}${query.size ? `?${query}` : ''}`, {
          ...(role
            ? { token: await api.token(role, role === 'member' ? 'asahi-petrochem' : undefined) }
            : {}),
          ...(media ? { body: media.example ?? {} } : {}),
          ...(raw ? { raw: String(raw.example) } : {}),
          headers: rawType ? { ...headers, 'content-type': rawType } : headers,
        });
        // The first role gets the documented success; another may see a documented error (not its own).
        const documented = Object.keys(op.responses).filter((s) =>
          role === allowed[0] ? s.startsWith('2') : true,
        );
        expect(documented, `${role}: ${JSON.stringify(res.body)}`).toContain(String(res.status));
        const type = (res.headers.get('content-type') ?? '').split(';')[0] ?? '';
        expect(Object.keys(op.responses[res.status].content ?? {})).toContain(type);
        const pointer = `/paths/${esc(path)}/${method.toLowerCase()}/responses/${res.status}/content/${esc(type)}/schema`;
        expect(validate(pointer, res.body), `${role}: ${JSON.stringify(res.body).slice(0, 2000)}`).toBeNull();
        // Not a vacuous schema: an object with none of the documented fields does not pass.
        expect(validate(pointer, { undocumented: true })).not.toBeNull();
        asked.push(`${key} as ${role ?? 'anyone'}`);
      }
    },
  );

  it('an advisory to several sectors: its answer, its parent view and a child agree with the document', async () => {
    const nisc = await api.token('nisc');
    const forked = await api.call('POST', '/advisories', {
      token: nisc,
      body: { ...ADVISORY_EXAMPLE, sectors: ['chemical', 'gas'] },
    });
    expect(forked.status).toBe(201);
    expect(
      validate(
        `/paths/${esc('/advisories')}/post/responses/201/content/application~1json/schema`,
        forked.body,
      ),
    ).toBeNull();
    await stack.settle();
    const view = `/paths/${esc('/advisories/{id}')}/get/responses/200/content/application~1json/schema`;
    for (const role of ['nisc', 'ministry', 'auditor']) {
      const parent = await api.call('GET', `/advisories/${forked.body.id}`, { token: await api.token(role) });
      expect(parent.status, role).toBe(200);
      expect(parent.body.kind).toBe('fork');
      expect(validate(view, parent.body), `${role}: ${JSON.stringify(parent.body)}`).toBeNull();
    }
    const child = await api.call('GET', `/advisories/${forked.body.children[0].advisoryId}`, { token: nisc });
    expect(child.body.parentId).toBe(forked.body.id);
    expect(validate(view, child.body)).toBeNull();
  });
});
