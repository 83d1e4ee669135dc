import { readFileSync } from 'node:fs';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, EXERCISE_EXAMPLE, SURVEY_EXAMPLE } from '../functions/api-contract.ts';
import { MAX_BODY_BYTES } from '../functions/http/http.ts';
import { MAX_JSON_DEPTH } from '../functions/http/strict-json.ts';
import { localSigningKey } from '../local/auth.ts';
import type { LocalStack } from '../local/stack.ts';
import { OPENAPI_FILE } from '../scripts/openapi.ts';
import { apiClient, eventually, startTestStack } from './support/local-api.ts';

/**
 * Hostile input for every operation of the OpenAPI document (issue 12), generated from the document
 * itself: its path, query and header parameters, its request body's JSON Schema, its roles. A route
 * added to the manifest is covered once `npm run openapi` documents it. Every case must be answered
 * with a 4xx the operation documents, as problem+json, with no internal detail, and write nothing:
 * after each operation's cases the table holds the same items and every stream head the same version.
 *
 * A generated body (or parameter) is sent as a case only when the document's own schema refuses it
 * (checked with Ajv), or when it breaks a rule the document states for every body (strict JSON, depth,
 * size, hidden characters in text): a case the document allows would be a valid request, not a hostile one.
 *
 * HOSTILE_RUNS sets the generated cases per property (default 12; the catalogued cases always run);
 * HOSTILE_SEED a seed (default fixed, so CI is repeatable; `random` explores further).
 */
const RUNS = Number(process.env.HOSTILE_RUNS ?? 12);
const SEED =
  process.env.HOSTILE_SEED === 'random' ? Date.now() | 0 : Number(process.env.HOSTILE_SEED ?? 20261203);

// biome-ignore lint/suspicious/noExplicitAny: the document and the bodies are read and mutated as the JSON they are.
type Json = any;
type Path = readonly (string | number)[];

const doc: Json = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
const METHODS = ['get', 'post', 'put', 'delete', 'patch'] as const;
const ROLES = ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] as const;

const ajv = new Ajv2020({ strict: false, allErrors: false });
addFormats.default(ajv);
ajv.addSchema({ ...doc, $id: 'openapi.json' });
const esc = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');
/** A validator for the schema at `pointer` in the document, its references resolved. */
const validator = (pointer: string) => ajv.compile({ $ref: `openapi.json#${pointer}` });

/** The schema with its `$ref` (to `#/components/…`) followed. */
function deref(schema: Json): Json {
  let s = schema;
  while (s?.$ref)
    s = s.$ref
      .slice(2)
      .split('/')
      .reduce((o: Json, k: string) => o?.[k], doc);
  return s ?? {};
}

interface Param {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required: boolean;
  readonly schema: Json;
  readonly valid: (value: string) => boolean;
}

interface Operation {
  readonly key: string;
  readonly method: string;
  readonly path: string;
  /** The roles allowed (the Cognito groups); empty for a public route. */
  readonly roles: readonly string[];
  readonly documented: ReadonlySet<number>;
  readonly params: readonly Param[];
  readonly body?: { readonly schema: Json; readonly example: Json; readonly valid: (v: unknown) => boolean };
}

const operations: Operation[] = Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m]).map((m): Operation => {
    const op = item[m];
    const pointer = `/paths/${esc(path)}/${m}`;
    const params = ((op.parameters ?? []) as Json[]).map((p, i): Param => {
      const check = validator(`${pointer}/parameters/${i}/schema`);
      return {
        name: p.name,
        in: p.in,
        required: p.required === true,
        schema: deref(p.schema),
        valid: (v) => check(v),
      };
    });
    const media = op.requestBody?.content?.['application/json'];
    const bodyCheck = media ? validator(`${pointer}/requestBody/content/application~1json/schema`) : null;
    return {
      key: `${m.toUpperCase()} ${path}`,
      method: m.toUpperCase(),
      path,
      roles: op.security?.[0]?.cognito ?? [],
      documented: new Set(Object.keys(op.responses).map(Number)),
      params,
      ...(media && bodyCheck
        ? {
            body: {
              schema: deref(media.schema),
              example: media.example ?? sample(media.schema),
              valid: (v: unknown) => bodyCheck(v),
            },
          }
        : {}),
    };
  }),
);

/** A value the schema describes, for a body the document gives no example of. */
function sample(schema: Json): unknown {
  const s = deref(schema);
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.anyOf) return sample(s.anyOf[0]);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === 'object' || s.properties)
    return Object.fromEntries(((s.required ?? []) as string[]).map((k) => [k, sample(s.properties?.[k])]));
  if (type === 'array') return Array.from({ length: s.minItems ?? 0 }, () => sample(s.items));
  if (type === 'number' || type === 'integer') return s.minimum ?? (s.exclusiveMinimum ?? 0) + 1;
  if (type === 'boolean') return false;
  if (s.format === 'date-time') return '2026-11-26T00:40:00Z';
  if (s.format === 'email') return 'csirt@example.com';
  return 'x'.repeat(s.minLength ?? 1);
}

// ---------------------------------------------------------------------------------------------------------
// The fixtures: the document's example ids swapped for ones this test created, in a state where the
// example request would succeed, so that a refusal is the refusal of the hostile part and not of a
// missing resource. `owner`: the resource belongs to an organisation of the chemical sector (`org`), or
// to the sector (`sector`), so another organisation's or another sector's token must not reach it.

type Tenancy = 'org' | 'sector';
interface Fixture {
  readonly value: string;
  readonly owner: Tenancy | null;
}
const fixtures = new Map<string, Fixture>();
/**
 * Per operation, example ids swapped for another fixture than the shared one: a route that acts on a
 * resource in another state (a draft survey to issue, a running exercise to end) gets one in that state.
 */
const perOperation = new Map<string, Readonly<Record<string, string>>>();
/** Per operation, the role (and organisation) whose token makes the example request succeed. */
const callers = new Map<string, { role: string; org?: string }>();

// ---------------------------------------------------------------------------------------------------------
// What each case sends, and what it must get.

type Category = 'body' | 'content type' | 'size' | 'path' | 'query' | 'header' | 'token' | 'tenant';
interface Attempt {
  readonly category: Category;
  readonly what: string;
  /** The statuses it may be answered with (each must be documented for the operation). */
  readonly status: readonly number[];
  readonly pathValues?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  readonly contentType?: string | null;
  readonly authorization?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
}

/** C0 controls but tab and line breaks, DEL, C1, bidi embeddings, overrides and isolates: no text holds them. */
const HIDDEN_CHARS = [
  '\u0000',
  '\u0001',
  '\u0008',
  '\u000b',
  '\u000c',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u202a',
  '\u202b',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
];
const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff'];
/** Combining marks, full-width digits and letters, ideographic space, zero-width characters, case folds. */
const LOOKALIKES = ['\u0301', '\u0308', '\u3000', '\uff10', '\uff19', '\uff41', '\u200b', '\ufeff', 'İ', 'ſ'];
/** Values that break enum values, dates, addresses and ids (kept as a case only where the schema refuses them). */
const CATALOGUE = [
  '',
  ' ',
  'APPROVE',
  'approve ',
  ' member',
  'TRUE',
  'true ',
  '-1',
  '1e3',
  '0x10',
  '１０',
  '２０２６-１１-２６T００:４０:００Z',
  '2026-02-30T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-11-26T24:00:00Z',
  '2026-11-26 00:40:00',
  'yesterday',
  '+８１３１２３４５６７８',
  '+81 3 1234 5678',
  'yamada@',
  '@asahi.example',
  'yamada@asahi.example\u202e',
  'http://evil.example/hook',
  'javascript:alert(1)',
  '../../etc/passwd',
  "' OR '1'='1",
  '{"$ne":null}',
  '<script>alert(1)</script>',
  '__proto__',
  'a'.repeat(4000),
];
const HIDDEN = new RegExp(`[${HIDDEN_CHARS.join('')}]|\\p{Cs}`, 'u');
const hasHidden = (s: string) => HIDDEN.test(s);

/** Strings for a field or parameter: the catalogue, lookalike marks on a valid value, hidden characters, lengths. */
const hostileString = (valid: string, maxLength: number | undefined, long: boolean): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(...CATALOGUE),
    fc.constantFrom(...LOOKALIKES).map((mark) => `${valid}${mark}`),
    fc
      .tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...HIDDEN_CHARS, ...LONE_SURROGATES))
      .map(([a, bad]) => `${valid.slice(0, 20)}${a}${bad}`),
    fc.constantFrom(
      ...(maxLength !== undefined ? ['a'.repeat(maxLength + 1), '日'.repeat(maxLength + 1)] : []),
      ...(long ? ['a'.repeat(100_000), '日'.repeat(100_000)] : ['a'.repeat(4000)]),
    ),
    fc.string({ maxLength: 30, unit: 'grapheme' }),
  );

const anyJson = fc.jsonValue({ maxDepth: 3 });
const typeOf = (v: unknown) =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'array'
      : Number.isInteger(v)
        ? 'integer'
        : typeof v === 'object'
          ? 'object'
          : typeof v;
const WRONG_TYPED = [0, -1, 1.5, true, false, null, [], {}, [''], { '': '' }, '', 'x', '1', 'true', 'null'];

function getAt(body: Json, path: Path): Json {
  return path.reduce((o, k) => (o === undefined || o === null ? undefined : o[k]), body);
}
/** The body with the value at `path` set (undefined: removed), as an own property even for `__proto__`. */
function setAt(body: Json, path: Path, value: unknown): Json {
  if (path.length === 0) return value;
  const parent = getAt(body, path.slice(0, -1));
  const last = path[path.length - 1] as string | number;
  if (parent === undefined || parent === null || typeof parent !== 'object') return body;
  if (value === undefined) delete parent[last];
  else Object.defineProperty(parent, last, { value, enumerable: true, writable: true, configurable: true });
  return body;
}
/** The body as text with `path` replaced by raw JSON text (for values JSON.stringify cannot make). */
function withRaw(body: Json, path: Path, raw: string): string {
  const marker = '__RAW_VALUE_MARKER__';
  return JSON.stringify(setAt(body, path, marker)).replace(`"${marker}"`, raw);
}
const json = (v: unknown) => JSON.stringify(v);
const bytes = (s: string | Buffer) => (typeof s === 'string' ? Buffer.byteLength(s) : s.length);
const tooBig = (s: string | Buffer) => bytes(s) > MAX_BODY_BYTES;

interface Field {
  readonly path: Path;
  readonly schema: Json;
  readonly required: boolean;
}
/** Every field of the schema, nested objects and the first item of arrays included (where the body has one). */
function fieldsOf(schema: Json, value: unknown, path: Path = []): Field[] {
  const s = deref(schema);
  const out: Field[] = [];
  if (s.properties) {
    for (const [k, sub] of Object.entries(s.properties as Record<string, Json>)) {
      const child = [...path, k];
      out.push({ path: child, schema: deref(sub), required: (s.required ?? []).includes(k) });
      const v = (value as Json)?.[k];
      if (v !== undefined) out.push(...fieldsOf(sub, v, child));
    }
  }
  if (s.items && Array.isArray(value) && value.length > 0) {
    out.push({ path: [...path, 0], schema: deref(s.items), required: true });
    out.push(...fieldsOf(s.items, value[0], [...path, 0]));
  }
  return out;
}
const allowedTypes = (s: Json): Set<string> => {
  const types = new Set<string>();
  for (const t of [s.type].flat()) if (typeof t === 'string') types.add(t);
  for (const b of s.anyOf ?? []) for (const t of allowedTypes(deref(b))) types.add(t);
  for (const v of [...(s.enum ?? []), ...(s.const !== undefined ? [s.const] : [])]) types.add(typeOf(v));
  if (types.has('number')) types.add('integer');
  return types;
};
const pathText = (p: Path) => (p.length === 0 ? '(body)' : p.join('.'));
const idempotencyDocumented = (op: Operation) =>
  op.params.some((p) => p.in === 'header' && p.name === 'idempotency-key');

/** The generated body cases of an operation: each must be a 400 (413 where it is over the size limit). */
function bodyCases(op: Operation): { name: string; arbitrary: fc.Arbitrary<Attempt | null> }[] {
  const body = op.body;
  if (!body) return [];
  const base = () => structuredClone(body.example);
  const fields = fieldsOf(body.schema, body.example);
  const paths = fields.map((f) => f.path);
  const strings = fields.filter((f) => allowedTypes(f.schema).has('string') && f.schema.type === 'string');
  const numbers = fields.filter((f) => ['number', 'integer'].includes(f.schema.type));
  const objects: Path[] = [
    [],
    ...fields
      .filter((f) => f.schema.type === 'object' && getAt(body.example, f.path) !== undefined)
      .map((f) => f.path),
  ].filter(
    (p) =>
      deref(p.length === 0 ? body.schema : fields.find((f) => f.path === p)?.schema).additionalProperties ===
      false,
  );
  /** A case when the text is refused by the document (or by a rule stated for every body); else none. */
  const refusedBy = (what: string, text: string, globalRule = false): Attempt | null => {
    if (!globalRule && !tooBig(text)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (parsed !== undefined && body.valid(parsed)) return null;
    }
    return { category: 'body', what, status: [tooBig(text) ? 413 : 400], body: text };
  };
  const cases: { name: string; arbitrary: fc.Arbitrary<Attempt | null> }[] = [];
  if (paths.length > 0)
    cases.push({
      name: 'wrong types',
      arbitrary: fc
        .tuple(fc.constantFrom(...fields), fc.oneof(fc.constantFrom(...WRONG_TYPED), anyJson))
        .map(([f, v]) =>
          allowedTypes(f.schema).has(typeOf(v)) || allowedTypes(f.schema).size === 0
            ? null
            : refusedBy(`${pathText(f.path)} = ${json(v)?.slice(0, 60)}`, json(setAt(base(), f.path, v))),
        ),
    });
  if (strings.length > 0)
    cases.push({
      name: 'hostile strings',
      arbitrary: fc.constantFrom(...strings).chain((f) => {
        const current = getAt(body.example, f.path);
        return hostileString(typeof current === 'string' ? current : 'x', f.schema.maxLength, true).map((v) =>
          refusedBy(
            `${pathText(f.path)} = ${json(v.slice(0, 40))} (${v.length} chars)`,
            json(setAt(base(), f.path, v)),
            hasHidden(v),
          ),
        );
      }),
    });
  if (numbers.length > 0)
    cases.push({
      name: 'numbers at and past their limits',
      arbitrary: fc
        .tuple(
          fc.constantFrom(...numbers),
          fc.oneof(
            fc.constantFrom('0', '-0', '-1', '0.5', '1e308', '-1e308', '9007199254740993', '1e-400'),
            fc.double({ noNaN: true, noDefaultInfinity: true }).map(json),
          ),
          fc.constantFrom('1e309', '-1e309'),
          fc.boolean(),
        )
        .map(([f, raw, overflow, useOverflow]) => {
          const s = f.schema;
          // The limits themselves and one step past them, where the schema has them.
          const limits = [s.minimum, s.maximum, s.exclusiveMinimum, s.exclusiveMaximum].filter(
            (n): n is number => typeof n === 'number',
          );
          const edge = limits.length > 0 && raw === '0.5' ? json(limits[0]) : raw;
          const value = useOverflow ? overflow : edge;
          // ±1e309 parses to ±Infinity, which is no JSON number: refused whatever the schema says.
          return refusedBy(`${pathText(f.path)} = ${value}`, withRaw(base(), f.path, value), useOverflow);
        }),
    });
  if (objects.length > 0)
    cases.push({
      name: 'extra fields',
      arbitrary: fc
        .tuple(
          fc.constantFrom(...objects),
          fc.oneof(
            fc.constantFrom(
              '__proto__',
              'constructor',
              'prototype',
              'toString',
              'isAdmin',
              'role',
              'org',
              'sector',
              'version',
            ),
            fc.string({ minLength: 1, maxLength: 20 }),
          ),
          anyJson,
        )
        .map(([o, k, v]) => {
          const b = base();
          const target = o.length === 0 ? b : getAt(b, o);
          if (Object.hasOwn(target, k)) return null;
          Object.defineProperty(target, k, { value: v ?? null, enumerable: true });
          return refusedBy(`extra ${pathText([...o, k])}`, json(b));
        }),
    });
  cases.push({
    name: 'deep nesting',
    arbitrary: fc
      .tuple(fc.constantFrom<Path>([], ...paths), fc.integer({ min: 2, max: 50_000 }), fc.boolean())
      .map(([p, depth, object]) => {
        const raw = object
          ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
          : `${'['.repeat(depth)}1${']'.repeat(depth)}`;
        const text = p.length === 0 ? raw : withRaw(base(), p, raw);
        return refusedBy(`${pathText(p)} nested ${depth} deep`, text, depth + p.length >= MAX_JSON_DEPTH);
      }),
  });
  cases.push({
    name: 'duplicate keys',
    arbitrary: fc.constantFrom(...Object.keys(body.example ?? {}), 'a').map((k) => {
      const b = base() ?? {};
      // Both values are valid on their own; which one counts would depend on the parser.
      const rest = json(b).slice(1);
      return refusedBy(
        `${k} twice`,
        `{${json(k)}:${json(b[k] ?? 1)},${json(k)}:${json(b[k] ?? 1)}${rest === '}' ? '}' : `,${rest}`}`,
        true,
      );
    }),
  });
  cases.push({
    name: 'not a JSON object',
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          'null',
          '[]',
          '[{}]',
          '"body"',
          '0',
          'true',
          '{',
          '{"a":}',
          'NaN',
          '{"a":1}x',
          '<x/>',
          'a=b',
          "{'a':1}",
        ),
        fc.constant(`\ufeff${json(body.example)}`),
        fc.string({ minLength: 1, maxLength: 50 }),
      )
      .map((raw) => {
        if (raw.trim() === '') return body.valid({}) ? null : refusedBy('an empty body', raw);
        return refusedBy(`body ${json(raw.slice(0, 30))}`, raw, raw.startsWith('\ufeff'));
      }),
  });
  const required = fields.filter((f) => f.required && getAt(body.example, f.path) !== undefined);
  if (required.length > 0)
    cases.push({
      name: 'missing fields',
      arbitrary: fc.subarray(required, { minLength: 1 }).map((gone) => {
        const b = base();
        for (const f of gone) setAt(b, f.path, undefined);
        return refusedBy(`without ${gone.map((f) => pathText(f.path)).join(', ')}`, json(b));
      }),
    });
  return cases;
}

/** Catalogued body cases: content types, sizes around the limit, invalid UTF-8. Each runs once. */
function fixedBodyCases(op: Operation): Attempt[] {
  const body = op.body;
  if (!body) return [];
  const valid = json(body.example);
  const cases: Attempt[] = [
    null,
    'text/plain',
    'text/plain;charset=UTF-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'text/json',
    'application/jsonx',
    'application/merge-patch+json',
    'application/json; charset=latin1',
    'application/json-seq',
    '*/*',
  ].map((contentType) => ({
    category: 'content type' as const,
    what: `content-type ${contentType}`,
    status: [415],
    body: valid,
    contentType,
  }));
  // A body refused for a rule every body has (a key twice), padded with spaces to an exact size: under
  // and at the limit it gets as far as the parser (400), past it it is refused unread (413).
  const invalid = `{"a":1,"a":1${valid === '{}' ? '' : `,${valid.slice(1, -1)}`}`;
  const padded = (size: number) => `${invalid}${' '.repeat(size - bytes(invalid) - 1)}}`;
  for (const [what, size, status] of [
    ['one byte under 256 KB', MAX_BODY_BYTES - 1, 400],
    ['exactly 256 KB', MAX_BODY_BYTES, 400],
    ['one byte over 256 KB', MAX_BODY_BYTES + 1, 413],
    ['1 MB', 1024 * 1024, 413],
  ] as const)
    cases.push({ category: 'size', what: `a body of ${what}`, status: [status], body: padded(size) });
  // Bytes that are no UTF-8 inside a string (or a key, where the body has no string).
  const text = valid.includes('"') && valid !== '{}' ? valid : '{"a":1}';
  const at = text.indexOf('"') + 1;
  cases.push({
    category: 'body',
    what: 'invalid UTF-8 inside a string',
    status: [400],
    body: Buffer.concat([
      Buffer.from(text.slice(0, at)),
      Buffer.from([0x41, 0xff, 0xfe, 0xc3, 0x42, 0xed, 0xa0, 0x80]),
      Buffer.from(text.slice(at)),
    ]),
  });
  return cases;
}

/** The example values of the path, query and header parameters, fixtures swapped in. */
function baseline(op: Operation) {
  const pathValues: Record<string, string> = {};
  const query: Record<string, string> = {};
  const swapped = (example: string) =>
    perOperation.get(op.key)?.[example] ?? fixtures.get(example)?.value ?? example;
  for (const p of op.params) {
    const example = String(p.schema.example ?? '');
    if (p.in === 'path') pathValues[p.name] = swapped(example);
    if (p.in === 'query' && p.required) query[p.name] = swapped(example);
  }
  return { pathValues, query };
}

/** Parameters that break the document's schema (or name nothing there). */
function paramCases(op: Operation): { name: string; arbitrary: fc.Arbitrary<Attempt | null> }[] {
  const { pathValues } = baseline(op);
  const cases: { name: string; arbitrary: fc.Arbitrary<Attempt | null> }[] = [];
  for (const p of op.params.filter((x) => x.in === 'path')) {
    const current = pathValues[p.name] ?? '';
    // A well-formed value that names nothing is refused too (404), except where PUT creates what it names.
    const refusedIfValid = op.method !== 'PUT' && !p.schema.enum;
    // 403: a value naming another organisation than the caller's own.
    const expected = [400, 403, 404, ...(op.roles.length === 0 ? [401] : [])].filter((s) =>
      op.documented.has(s),
    );
    cases.push({
      name: `path ${p.name}`,
      arbitrary: fc
        .oneof(
          hostileString(current, p.schema.maxLength, false),
          fc.constantFrom(
            'not-a-uuid',
            'null',
            'undefined',
            '0',
            current.toUpperCase(),
            `${current}0`,
            current.replaceAll('-', ''),
            `６${current.slice(1)}`,
            `${current}\u0000`,
            `incident#${current}`,
            '00000000-0000-4000-8000-000000000000',
            'a'.repeat(64),
          ),
        )
        // Dot segments are resolved by the URL before any route sees them: they name another path.
        .filter((v) => v !== current && v !== '' && v !== '.' && v !== '..')
        .map((v): Attempt | null =>
          p.valid(v) && !refusedIfValid
            ? null
            : {
                category: 'path',
                what: `${p.name} ${json(v.slice(0, 40))}`,
                status: expected,
                pathValues: { ...pathValues, [p.name]: encodeURIComponent(v) },
              },
        ),
    });
  }
  for (const p of op.params.filter((x) => x.in === 'query')) {
    // A free-form parameter (a cursor) names a page: one not given out by the API is refused too.
    const free = !p.schema.enum && !p.schema.pattern && !p.schema.format;
    cases.push({
      name: `query ${p.name}`,
      arbitrary: hostileString(String(p.schema.example ?? 'x'), p.schema.maxLength, false).map(
        (v): Attempt | null =>
          p.valid(v) && !free && !hasHidden(v)
            ? null
            : {
                category: 'query',
                what: `?${p.name}=${json(v.slice(0, 40))}`,
                status: [400],
                query: { [p.name]: v },
              },
      ),
    });
  }
  return cases;
}

/** Catalogued parameter cases: a required query parameter left out, bad Idempotency-Keys. */
function fixedParamCases(op: Operation): Attempt[] {
  const cases: Attempt[] = [];
  for (const p of op.params.filter((x) => x.in === 'query' && x.required))
    cases.push({
      category: 'query',
      what: `without ?${p.name}`,
      status: [400],
      query: { [p.name]: undefined as never },
    });
  if (idempotencyDocumented(op))
    for (const key of ['', ' ', 'a'.repeat(256), 'key with space', '\u00e9'.repeat(3), 'tab\tkey'])
      cases.push({
        category: 'header',
        what: `Idempotency-Key ${json(key.slice(0, 20))}`,
        status: [400],
        headers: { 'idempotency-key': key },
      });
  return cases;
}

// ---------------------------------------------------------------------------------------------------------
// Tokens.

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
let dynamo: DynamoDBClient;
let signingKey: Uint8Array;
const counts = new Map<string, Map<Category, number>>();

/** A local token for any claims POST /local/token allows (a sector included). */
const tokens = new Map<string, string>();
async function tokenFor(claims: Record<string, string>): Promise<string> {
  const key = json(claims);
  const cached = tokens.get(key);
  if (cached) return cached;
  const res = await api.call('POST', '/local/token', { body: { sub: `hostile-${claims.role}`, ...claims } });
  if (res.status !== 200) throw new Error(`token ${key}: ${res.status} ${json(res.body)}`);
  tokens.set(key, res.body.token);
  return res.body.token;
}
const callerOf = (op: Operation) => {
  const role = callers.get(op.key)?.role ?? op.roles[0] ?? 'member';
  const org = callers.get(op.key)?.org ?? (role === 'member' ? 'asahi-petrochem' : undefined);
  return { role, ...(org ? { org } : {}) };
};

/** Another organisation's and another sector's token per role: none may reach a chemical member's resource. */
const OTHER_TENANTS: Record<string, { what: string; crosses: Tenancy; claims: Record<string, string> }[]> = {
  member: [
    {
      what: "another organisation's member",
      crosses: 'org',
      claims: { role: 'member', org: 'kaigan-chemical' },
    },
    {
      what: "another sector's member",
      crosses: 'sector',
      claims: { role: 'member', org: 'banking-member-1' },
    },
  ],
  secretariat: [
    {
      what: "another sector's secretariat",
      crosses: 'sector',
      claims: { role: 'secretariat', sector: 'banking' },
    },
  ],
  ministry: [
    { what: "another sector's ministry", crosses: 'sector', claims: { role: 'ministry', org: 'fsa' } },
  ],
  nisc: [
    {
      what: 'NISC limited to another sector',
      crosses: 'sector',
      claims: { role: 'nisc', sector: 'banking' },
    },
  ],
  auditor: [
    { what: "another sector's auditor", crosses: 'sector', claims: { role: 'auditor', sector: 'banking' } },
  ],
};

/** Tokens that must not get in (401), that carry no allowed role (403), or another tenant's (403/404). */
async function tokenCases(op: Operation): Promise<Attempt[]> {
  if (op.roles.length === 0) return [];
  const caller = callerOf(op);
  const claims = { 'cognito:groups': [caller.role], ...(caller.org ? { 'custom:org': caller.org } : {}) };
  const sign = (payload: Record<string, unknown>, key: Uint8Array = signingKey) =>
    new SignJWT({ ...claims, ...payload }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
  const base = { iss: 'ceptoar-relay-local', aud: 'ceptoar-relay', sub: 'hostile-caller' };
  const now = Math.floor(Date.now() / 1000);
  const good = await tokenFor(caller);
  const [header, payload, signature] = good.split('.');
  const tampered = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
  tampered['custom:org'] = 'kaigan-chemical';
  tampered['cognito:groups'] = [...ROLES];
  const forged = `${header}.${Buffer.from(json(tampered)).toString('base64url')}.${signature}`;
  const unauthorized: [string, string | null][] = [
    ['no Authorization header', null],
    ['Authorization without a scheme', good],
    ['Basic credentials', `Basic ${Buffer.from('member:secret').toString('base64')}`],
    ['an empty bearer token', 'Bearer '],
    ['a bearer token that is no JWT', 'Bearer not.a.jwt'],
    ['an expired token', `Bearer ${await sign({ ...base, iat: now - 7200, exp: now - 3600 })}`],
    [
      'a token valid only from tomorrow',
      `Bearer ${await sign({ ...base, nbf: now + 86_400, exp: now + 90_000 })}`,
    ],
    [
      'an unsigned token (alg none)',
      `Bearer ${new UnsecuredJWT({ ...claims, ...base }).setExpirationTime('1h').encode()}`,
    ],
    [
      'a token signed by another key',
      `Bearer ${await sign({ ...base, exp: now + 3600 }, new Uint8Array(32).fill(7))}`,
    ],
    [
      'a token from another issuer',
      `Bearer ${await sign({ ...base, iss: 'another-sector', exp: now + 3600 })}`,
    ],
    [
      'a token for another audience',
      `Bearer ${await sign({ ...base, aud: 'another-api', exp: now + 3600 })}`,
    ],
    ['a token whose claims were edited after signing', `Bearer ${forged}`],
    [
      'alg none with the real signature',
      `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.${signature}`,
    ],
    ['a token without sub', `Bearer ${await sign({ ...base, sub: undefined, exp: now + 3600 })}`],
  ];
  const cases: Attempt[] = unauthorized.map(([what, authorization]) => ({
    category: 'token',
    what,
    status: [401],
    authorization,
  }));
  const forbidden: [string, string][] = [
    ['a token without groups', `Bearer ${await sign({ ...base, 'cognito:groups': [], exp: now + 3600 })}`],
    [
      'a token with an unknown group',
      `Bearer ${await sign({ ...base, 'cognito:groups': ['admin', 'root'], exp: now + 3600 })}`,
    ],
    [
      'a token naming an unknown sector',
      `Bearer ${await sign({ ...base, 'custom:sector': 'nowhere', exp: now + 3600 })}`,
    ],
  ];
  for (const role of ROLES.filter((r) => !op.roles.includes(r)))
    forbidden.push([
      `a token of the role ${role}`,
      `Bearer ${await tokenFor(role === 'member' ? { role, org: 'asahi-petrochem' } : { role })}`,
    ]);
  for (const [what, authorization] of forbidden)
    cases.push({ category: 'token', what, status: [403], authorization });
  // Another tenant, with the example request that the fixture's own caller would have succeeded with.
  const owners = op.params
    .filter((p) => p.in === 'path')
    .map((p) => fixtures.get(String(p.schema.example))?.owner);
  // A resource of an organisation is closed to other organisations and sectors; one of a sector, to other sectors.
  const closedTo = owners.includes('org') ? ['org', 'sector'] : owners.includes('sector') ? ['sector'] : [];
  for (const role of op.roles)
    for (const other of OTHER_TENANTS[role] ?? [])
      if (closedTo.includes(other.crosses))
        cases.push({
          category: 'tenant',
          what: other.what,
          status: [403, 404].filter((s) => op.documented.has(s)),
          authorization: `Bearer ${await tokenFor(other.claims)}`,
        });
  return cases;
}

// ---------------------------------------------------------------------------------------------------------

/** Text that must never reach a caller: stack frames, file names, SDK and runtime error names. */
const INTERNAL =
  /\bat [\w.<>]+ \(|node_modules|\/work\/|\/tmp\/|\.ts:\d+|\.js:\d+|TypeError|RangeError|SyntaxError|ReferenceError|ValidationException|ConditionalCheck|TransactionCanceled|DynamoDB|aws-sdk|\bstack\b|Unexpected token|in JSON at position|ECONNREFUSED/;

async function send(op: Operation, attempt: Attempt) {
  const base = baseline(op);
  const pathValues = { ...base.pathValues, ...attempt.pathValues };
  let url = op.path;
  for (const [name, value] of Object.entries(pathValues))
    url = url.replace(
      `{${name}}`,
      attempt.pathValues?.[name] === undefined ? encodeURIComponent(value) : value,
    );
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...base.query, ...attempt.query }))
    if (v !== undefined) query.set(k, v);
  const token =
    attempt.authorization === undefined
      ? op.roles.length > 0
        ? `Bearer ${await tokenFor(callerOf(op))}`
        : null
      : attempt.authorization;
  const raw = attempt.body ?? (op.body ? json(op.body.example) : undefined);
  const headers: Record<string, string> = {
    ...(token === null ? {} : { authorization: token }),
    ...(raw === undefined || attempt.contentType === null
      ? {}
      : { 'content-type': attempt.contentType ?? 'application/json' }),
    ...attempt.headers,
  };
  const res = await fetch(`${stack.url}${url}${query.size > 0 ? `?${query}` : ''}`, {
    method: op.method,
    headers,
    ...(raw === undefined ? {} : { body: new Uint8Array(typeof raw === 'string' ? Buffer.from(raw) : raw) }),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

/** Sends one case and checks the answer: an expected, documented 4xx, problem+json, nothing internal. */
async function refused(op: Operation, attempt: Attempt): Promise<void> {
  const perRoute = counts.get(op.key) ?? new Map<Category, number>();
  counts.set(op.key, perRoute);
  perRoute.set(attempt.category, (perRoute.get(attempt.category) ?? 0) + 1);
  const where = `${op.key}: ${attempt.what}`;
  const documented = attempt.status.filter((s) => op.documented.has(s));
  expect(documented, `${where}: the document lists none of ${attempt.status.join(', ')}`).not.toEqual([]);
  const res = await send(op, attempt);
  const answer = `${where} → ${res.status} ${res.text.slice(0, 300)}`;
  expect(documented, answer).toContain(res.status);
  expect(res.contentType, answer).toBe('application/problem+json');
  const problem = JSON.parse(res.text) as Record<string, unknown>;
  expect(problem, answer).toMatchObject({ type: 'about:blank', status: res.status });
  expect(typeof problem.title === 'string' && typeof problem.detail === 'string', answer).toBe(true);
  expect(
    Object.keys(problem).every((k) => ['type', 'title', 'status', 'detail', 'errors'].includes(k)),
    answer,
  ).toBe(true);
  expect(res.text, answer).not.toMatch(INTERNAL);
}

/** Every item's key and every head's version: what a refused request must leave as it was. */
async function tableSnapshot(): Promise<Map<string, string>> {
  const items = new Map<string, string>();
  let start: Record<string, never> | undefined;
  do {
    const page = await dynamo.send(
      new ScanCommand({
        TableName: stack.tableName,
        ProjectionExpression: 'pk, sk, #v',
        ExpressionAttributeNames: { '#v': 'version' },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? [])
      items.set(`${item.pk?.S} ${item.sk?.N ?? item.sk?.S}`, item.version?.N ?? '');
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  return items;
}

/** Waits until nothing more is written on its own (deliveries, the advisory workflow's steps). */
async function quiet(): Promise<void> {
  let last = '';
  for (let round = 0; round < 30; round++) {
    await stack.settle();
    const now = json([...(await tableSnapshot())]);
    if (now === last) return;
    last = now;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('the table kept changing for 30 s');
}

async function expectNothingWritten(before: Map<string, string>, route: string) {
  await stack.settle();
  const after = await tableSnapshot();
  const changed = [...after].filter(([k, v]) => before.get(k) !== v).map(([k, v]) => `${k} v${v}`);
  expect(changed, `${route} wrote`).toEqual([]);
  expect(after.size, `${route}: items`).toBe(before.size);
}

beforeAll(async () => {
  // Real time, so no deadline passes and nothing appends on its own while the cases run.
  stack = await startTestStack({ timeScale: 1, checkpointSeconds: 0 });
  api = apiClient(stack.url);
  signingKey = localSigningKey(stack.dataDir);
  dynamo = new DynamoDBClient({
    endpoint: stack.dynamoEndpoint,
    region: 'ap-northeast-1',
    credentials: stack.endpoints.credentials,
  });
  // One resource per example id, each in the state its routes act on; every command route on an incident
  // or an advisory finds one it could act on, so a broken check would show as a write.
  const secretariat = await tokenFor({ role: 'secretariat' });
  const incident = await api.report('asahi-petrochem');
  const advisory = await api.advisory('nisc', { audience: ['asahi-petrochem'] });
  const drill = await api.call('POST', '/drills', {
    token: secretariat,
    body: { title: 'Drill', body: 'x', tlp: 'GREEN', audience: ['asahi-petrochem'] },
  });
  expect(drill.status).toBe(201);
  const check = await api.call('POST', '/contact-checks', { token: secretariat, body: {} });
  expect(check.status).toBe(201);
  const link = await eventually(
    async () =>
      stack.mail
        .messages()
        .map((m) => /\/ack\/([\w.-]+)/.exec(m.text)?.[1])
        .find((l) => l !== undefined),
    20_000,
    'an acknowledgement link',
  );
  const set = (example: string, value: string, owner: Tenancy | null = 'org') =>
    fixtures.set(example, { value, owner });
  set(EXAMPLE.incidentId, incident);
  set(EXAMPLE.advisoryId, advisory);
  set(EXAMPLE.drillId, drill.body.id);
  set(EXAMPLE.contactCheckId, check.body.id);
  set(EXAMPLE.org, 'asahi-petrochem');
  set(EXAMPLE.streamId, `incident#${incident}`);
  set(EXAMPLE.ackToken, link, null);
  set(EXAMPLE.checkpointId, EXAMPLE.checkpointId, null);
  set('chemical', 'chemical', 'sector');
  // The newer routes' resources, all of the chemical sector (another sector's caller must not reach them).
  // Surveys: one issued and answered by asahi-petrochem (draft answers saved), one draft to revise and
  // issue, one issued to close.
  const survey = async (issue: boolean) => {
    const created = await api.call('POST', '/surveys', {
      token: secretariat,
      body: { definition: SURVEY_EXAMPLE, tlp: 'GREEN' },
    });
    expect(created.status, json(created.body)).toBe(201);
    if (issue) {
      const issued = await api.call('POST', `/surveys/${created.body.id}/issue`, {
        token: secretariat,
        body: { dueAt: '2099-01-01T00:00:00Z' },
      });
      expect(issued.status, json(issued.body)).toBe(200);
    }
    return created.body.id as string;
  };
  const [surveyAnswered, surveyDraft, surveyToClose] = [
    await survey(true),
    await survey(false),
    await survey(true),
  ];
  const answered = await api.call('PUT', `/surveys/${surveyAnswered}/response`, {
    token: await tokenFor({ role: 'member', org: 'asahi-petrochem' }),
    body: { answers: { policy: 'no', 'c-access': 1 } },
  });
  expect(answered.status, json(answered.body)).toBe(200);
  set(EXAMPLE.surveyId, surveyAnswered, 'sector');
  for (const key of ['PUT /surveys/{id}', 'POST /surveys/{id}/issue'])
    perOperation.set(key, { [EXAMPLE.surveyId]: surveyDraft });
  perOperation.set('POST /surveys/{id}/close', { [EXAMPLE.surveyId]: surveyToClose });
  // An activity with its minutes attached (and a second fiscal year's plan to read and replace).
  const activity = await api.call('POST', '/activities', {
    token: secretariat,
    body: { date: '2015-06-12', kind: 'wg-meeting', title: 'WG' },
  });
  expect(activity.status, json(activity.body)).toBe(201);
  const minutes = await fetch(`${stack.url}/activities/${activity.body.id}/minutes?filename=minutes.txt`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secretariat}`, 'content-type': 'text/plain' },
    body: 'minutes',
  });
  expect(minutes.status).toBe(201);
  set(EXAMPLE.activityId, activity.body.id, 'sector');
  const plan = await api.call('PUT', '/reports/chemical/2015/plan', {
    token: secretariat,
    body: { sections: [{ heading: 'Plan', body: 'Take part in the cross-sector exercise.' }] },
  });
  expect(plan.status, json(plan.body)).toBe(200);
  // Exercises (chemical and gas): one planned (to read, report on and start), one running (to end).
  const nisc = await tokenFor({ role: 'nisc' });
  const exercise = async () => {
    const prepared = await api.call('POST', '/exercises', { token: nisc, body: EXERCISE_EXAMPLE });
    expect(prepared.status, json(prepared.body)).toBe(201);
    return prepared.body.id as string;
  };
  const [planned, running] = [await exercise(), await exercise()];
  const started = await api.call('POST', `/exercises/${running}/start`, { token: nisc, body: {} });
  expect(started.status, json(started.body)).toBe(200);
  set(EXAMPLE.exerciseId, planned, 'sector');
  perOperation.set('POST /exercises/{id}/end', { [EXAMPLE.exerciseId]: running });
  // The advisory awaits the ministry's forward; the receipt of an incident awaits its approval, but the
  // ministry's token is the one that would record it.
  callers.set('POST /advisories/{id}/forward', { role: 'ministry' });
  callers.set('POST /incidents/{id}/receipt', { role: 'ministry' });
  // The surveys were built by the secretariat: only their owner revises, issues and closes them.
  for (const key of ['PUT /surveys/{id}', 'POST /surveys/{id}/issue', 'POST /surveys/{id}/close'])
    callers.set(key, { role: 'secretariat' });
  await quiet();
}, 180_000);
afterAll(async () => {
  const categories: Category[] = [
    'body',
    'content type',
    'size',
    'path',
    'query',
    'header',
    'token',
    'tenant',
  ];
  const rows = operations.map(({ key }) => {
    const c = counts.get(key) ?? new Map<Category, number>();
    const total = [...c.values()].reduce((a, b) => a + b, 0);
    const parts = categories.filter((k) => c.has(k)).map((k) => `${k} ${c.get(k)}`);
    return `  ${key.padEnd(50)} ${String(total).padStart(5)}  ${parts.join(', ') || 'nothing to refuse (no token, no parameter, no body)'}`;
  });
  const all = [...counts.values()].flatMap((c) => [...c.values()]).reduce((a, b) => a + b, 0);
  console.log(
    `hostile-input cases per operation (${operations.length} operations, ${all} cases, HOSTILE_RUNS=${RUNS}, seed ${SEED}):\n${rows.join('\n')}`,
  );
  dynamo?.destroy();
  await stack?.stop();
});

describe.each(operations.map((op) => [op.key, op] as const))(
  '%s refuses hostile input and writes nothing',
  (_key, op) => {
    it('refuses every generated case, the catalogued ones and every bad token', async () => {
      const before = await tableSnapshot();
      for (const { name, arbitrary } of [...bodyCases(op), ...paramCases(op)]) {
        await fc
          .assert(
            fc.asyncProperty(arbitrary, async (attempt) => {
              fc.pre(attempt !== null);
              if (attempt) await refused(op, attempt);
            }),
            { numRuns: RUNS, endOnFailure: true, seed: SEED },
          )
          .catch((error: Error) => {
            // The counterexample can be 100,000 characters long: the answer it got is at the end, or in the
            // failed assertion fast-check keeps as the cause.
            const cause = error.cause instanceof Error ? ` (${error.cause.message.slice(0, 1500)})` : '';
            throw new Error(
              `${op.key}, ${name}: ${error.message.slice(0, 600)} … ${error.message.slice(-1500)}${cause}`,
            );
          });
      }
      for (const attempt of [...fixedBodyCases(op), ...fixedParamCases(op), ...(await tokenCases(op))])
        await refused(op, attempt);
      await expectNothingWritten(before, op.key);
    });
  },
);
