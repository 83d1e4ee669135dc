import type { $ZodType } from 'zod/v4/core';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi';
import * as advisory from '../events/api/advisory.ts';
import * as audit from '../events/api/audit.ts';
import * as incident from '../events/api/incident.ts';
import * as shapes from '../events/api/shapes.ts';
import { problemSchema } from '../events/api/shapes.ts';
import { webhookHeadersSchema, webhookPayloadSchema } from '../events/api/webhook.ts';
import { contactSchema, organizationSchema } from '../events/directory/directory.ts';
import { reportIncidentBody } from '../events/incident/report.ts';
import * as z from '../events/zod.ts';
import { contract, type RouteContract, type RouteKey } from './api-contract.ts';
import type { HttpSpec } from './http/http.ts';
import { functions } from './manifest.ts';

/**
 * Builds the OpenAPI 3.1 document from functions/api-contract.ts and each route handler's own
 * `spec` (its roles and body schema), with zod-openapi over zod 4's JSON Schema output. Used by
 * `npm run openapi` (docs/openapi.json) and the tests; no Lambda bundle imports it (the
 * `openapi` function serves the generated file).
 */

const VERSION = '0.1.0';

const problemText: Record<number, string> = {
  400: 'bad input; `errors` names each field (`path`, `message`)',
  401: 'no token, or a bad one (forged, expired, other audience)',
  403: 'the token carries none of the roles this route allows',
  404: 'not found, or not yours to see',
  409: 'the resource is not in a state that allows this (a competing decision landed first)',
  413: 'the body is over 256 KB',
  415: 'a body in a media type other than `application/json` (a form or `text/plain` post, or none named)',
  422: 'the Idempotency-Key was used before with another body',
  429: 'too many requests from the caller or its organisation; `Retry-After` says when to try again',
  500: 'something went wrong on our side; no internal detail is given',
  503: 'the event table is unreachable or throttling; nothing was changed: retry after `Retry-After` seconds',
};

z.globalRegistry.add(problemSchema, {
  id: 'Problem',
  description: 'RFC 9457 problem details (application/problem+json)',
});
// Schemas used in more than one place become named components.
const named: [z.ZodMiniType, string][] = [
  [shapes.actorSchema, 'Actor'],
  [shapes.hopProgress, 'HopProgress'],
  [shapes.escalation, 'Escalation'],
  [reportIncidentBody(), 'IncidentReport'],
  [incident.incidentAnswer, 'IncidentAnswer'],
  [incident.incidentViewSchema, 'Incident'],
  [incident.incidentSummarySchema, 'IncidentSummary'],
  [advisory.advisoryAnswer, 'AdvisoryAnswer'],
  [advisory.advisoryContent, 'AdvisoryContent'],
  [advisory.advisorySummarySchema, 'AdvisorySummary'],
  [advisory.recipientRowSchema, 'RecipientRow'],
  [advisory.transmissionSchema, 'Transmission'],
  [advisory.memberAdvisoryView, 'MemberAdvisoryView'],
  [advisory.chainAdvisoryView, 'ChainAdvisoryView'],
  [contactSchema(), 'DirectoryContact'],
  [organizationSchema(), 'Organization'],
  [audit.auditEventSchema, 'AuditEvent'],
  [audit.checkpointSchema, 'Checkpoint'],
];
for (const [schema, id] of named) z.globalRegistry.add(schema, { id });

const idempotencyKey = z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/));
z.globalRegistry.add(idempotencyKey, {
  description:
    'Makes a retry safe: the same key and body within 24 h return the first answer (header `idempotent-replayed: true`) and write nothing; another body is 422.',
  example: 'asahi-2026-0001',
});

/** Every route handler's spec, read from its module (public handlers have none). */
async function handlerSpecs(): Promise<Map<string, HttpSpec<unknown> | undefined>> {
  // The modules read their configuration at load; building the document needs none of it.
  process.env.EVENTS_TABLE ??= 'openapi-document';
  const specs = new Map<string, HttpSpec<unknown> | undefined>();
  for (const fn of functions) {
    if (!('routes' in fn)) continue;
    const mod = (await import(/* @vite-ignore */ new URL(`./${fn.name}.ts`, import.meta.url).href)) as {
      handler: { spec?: HttpSpec<unknown> };
    };
    specs.set(fn.name, mod.handler.spec);
  }
  return specs;
}

function operation(
  fnName: string,
  routeCount: number,
  method: string,
  c: RouteContract,
  spec: HttpSpec<unknown> | undefined,
): ZodOpenApiOperationObject {
  const roles = spec?.allow ?? [];
  const content = (type: string, schema: $ZodType | null) =>
    schema === null ? { [type]: {} } : { [type]: { schema } };
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const [status, r] of Object.entries(c.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.content
        ? { content: Object.assign({}, ...Object.entries(r.content).map(([t, s]) => content(t, s))) }
        : {}),
      ...(r.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(r.headers).map(([name, description]) => [
                name,
                { description, schema: { type: 'string' } },
              ]),
            ),
          }
        : {}),
    };
  }
  // Every route with a body refuses other media types, and every route behind a login is rate-limited
  // (functions/http/http.ts does both before the route's own function runs).
  const readsTable = (functions.find((f) => f.name === fnName)?.calls as readonly string[] | undefined)?.some(
    (call) => call.startsWith('dynamodb:'),
  );
  const shared = [...(spec?.body ? [415] : []), ...(spec ? [429] : []), 500, ...(readsTable ? [503] : [])];
  for (const status of [...c.errors, ...shared]) {
    responses[String(status)] = {
      description: problemText[status] ?? 'error',
      content: { 'application/problem+json': { schema: problemSchema } },
      ...(status === 429 || status === 503
        ? { headers: { 'retry-after': { description: 'seconds to wait', schema: { type: 'string' } } } }
        : {}),
    };
  }
  const who = spec ? `Roles: ${roles.join(', ')}.` : 'Public: no token.';
  return {
    operationId:
      fnName.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase()) + (routeCount > 1 ? method : ''),
    summary: c.summary,
    description: [c.description, who].filter(Boolean).join('\n\n'),
    tags: [c.tag],
    // OpenAPI 3.1 lets a non-OAuth scheme list role names: the Cognito groups allowed.
    security: spec ? [{ cognito: [...roles] }] : [],
    requestParams: {
      ...(c.path ? { path: c.path } : {}),
      ...(c.query ? { query: c.query } : {}),
      ...(c.idempotent ? { header: z.object({ 'idempotency-key': z.optional(idempotencyKey) }) } : {}),
    },
    ...(spec?.body
      ? {
          requestBody: {
            description:
              'JSON (RFC 8259 under I-JSON, RFC 7493: UTF-8 without a byte-order mark, no key twice in an object, no unpaired surrogate), at most 32 levels deep and 256 KB; an empty body counts as `{}`. Text refuses control characters (but tab and line breaks), bidirectional overrides and isolates.',
            content: {
              'application/json': {
                schema: spec.body,
                ...(c.example?.body !== undefined ? { example: c.example.body } : {}),
              },
            },
          },
        }
      : c.rawBody
        ? { requestBody: rawRequestBody(c.rawBody) }
        : {}),
    responses,
  };
}

/** A body that is the bytes themselves: a text type carries a string (and the example), any other bytes. */
function rawRequestBody(raw: NonNullable<RouteContract['rawBody']>) {
  return {
    required: true,
    description: raw.description,
    content: Object.fromEntries(
      raw.types.map((type) => [
        type,
        type.startsWith('text/')
          ? {
              schema: { type: 'string' as const },
              ...(raw.example.type === type ? { example: raw.example.value } : {}),
            }
          : {},
      ]),
    ),
  };
}

/** What the directory's https webhooks receive: the payload, the Standard Webhooks headers, the answers. */
function webhookOperation(): { post: ZodOpenApiOperationObject } {
  return {
    post: {
      operationId: 'notification',
      summary: "A notification to a directory contact's https webhook",
      description: [
        'Every message the relay sends a contact on the `webhook` channel (the same messages as e-mail and SMS), POSTed to the contact\'s https address. Signed after the Standard Webhooks specification: `webhook-signature` is a space-separated list of `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`, one per key of the organisation that signs now (the newest, and for 24 hours after a rotation the previous one too). The key is the `whsec_` secret answered by `POST /directory/organizations/{org}/webhook-keys`. Verify with any Standard Webhooks library; refuse a timestamp more than 5 minutes away from your clock.',
        '`webhook-id` is the same on every attempt at one message: deduplicate on it. A 2xx answer is delivered; a 3xx (redirects are not followed) or 4xx fails for good and is recorded so; a 5xx, a timeout (5 s) or a network error is retried after 30 s, 1, 2 and 4 minutes, and a fifth failure is recorded as a failed delivery (the delivery events of the incident or advisory). Each retried attempt is recorded too, with its number, the HTTP status and the class of the failure, never the body of your answer: `attempts` in `GET /incidents/{id}` and `GET /advisories/{id}`.',
      ].join('\n\n'),
      tags: ['directory'],
      requestParams: { header: webhookHeadersSchema },
      requestBody: {
        content: {
          'application/json': {
            schema: webhookPayloadSchema,
            example: {
              type: 'relay',
              data: { subject: '[CEPTOAR] Incident relay: ...', text: 'https://.../incidents/...' },
            },
          },
        },
      },
      responses: {
        '200': { description: 'delivered (any 2xx)' },
        '400': { description: 'refused for good (any 4xx, e.g. a signature that does not verify)' },
        '503': { description: 'try again later (any 5xx): retried with backoff' },
      },
    },
  };
}

/** The OpenAPI 3.1 document of the HTTP API. */
export async function buildDocument() {
  const specs = await handlerSpecs();
  const paths: ZodOpenApiPathsObject = {};
  for (const fn of functions) {
    if (!('routes' in fn)) continue;
    for (const route of fn.routes) {
      const key = `${route.method} ${route.path}` as RouteKey;
      const c: RouteContract = contract[key];
      const item = paths[route.path] ?? {};
      paths[route.path] = item;
      const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
      item[method] = operation(fn.name, fn.routes.length, route.method, c, specs.get(fn.name));
    }
  }
  return createDocument(
    {
      openapi: '3.1.0',
      info: {
        title: 'ceptoar-relay API',
        version: VERSION,
        description:
          "The HTTP API of ceptoar-relay: a CEPTOAR's IT-incident relay (member → secretariat → ministry → NISC) and its advisories, drills, directory and audit trail. Generated from the handlers' zod schemas (`npm run openapi`); errors are application/problem+json (RFC 9457).",
      },
      tags: [
        { name: 'incidents', description: 'The upward relay: reports, decisions, receipts' },
        { name: 'advisories', description: 'The downward flow: advisories, acknowledgements, the board' },
        { name: 'drills', description: 'Drills and their transmission-rate reports' },
        {
          name: 'exercises',
          description: 'Cross-sector exercises (分野横断的演習) and their after-action reports',
        },
        { name: 'directory', description: 'The event-sourced directory and contact checks' },
        { name: 'activities', description: "The secretariat's recorded activities and their minutes" },
        { name: 'reports', description: "A sector's fiscal-year activity report and next year's plan" },
        { name: 'surveys', description: 'Surveys and self-assessments: definitions, answers, results' },
        { name: 'audit', description: 'Auditors: replay, the period log, heads, checkpoints, compliance' },
        { name: 'public', description: 'No token: acknowledgement links, the public board, this document' },
      ],
      components: {
        securitySchemes: {
          cognito: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'A Cognito ID token (claims `sub`, `cognito:groups`, `custom:org`); locally one from `POST /local/token`. The scopes listed per operation are the groups (roles) it allows.',
          },
        },
      },
      paths,
      webhooks: { notification: webhookOperation() },
    },
    {
      // `format` says it; zod's regular expressions for these formats are long and add nothing.
      override: ({ jsonSchema }) => {
        if (
          jsonSchema.format === 'date-time' ||
          jsonSchema.format === 'uuid' ||
          jsonSchema.format === 'email'
        )
          delete jsonSchema.pattern;
      },
    },
  );
}
