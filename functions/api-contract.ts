import * as advisory from '../events/api/advisory.ts';
import * as audit from '../events/api/audit.ts';
import * as directory from '../events/api/directory.ts';
import * as exercise from '../events/api/exercise.ts';
import * as incident from '../events/api/incident.ts';
import * as report from '../events/api/report.ts';
import * as sector from '../events/api/sector.ts';
import * as survey from '../events/api/survey.ts';
import { STREAM_ID, STREAM_TYPE } from '../events/audit/types.ts';
import { orgId } from '../events/directory/directory.ts';
import { sectorIds } from '../events/sector/catalog.ts';
import * as z from '../events/zod.ts';
import { ANY_BYTES, MAX_MINUTES_BYTES, MINUTES_UPLOAD_TYPES } from './blobs/minutes.ts';
import { MINUTES_FILENAME } from './blobs/minutes-filename.ts';
import { UUID } from './http/uuid.ts';
import type { functions } from './manifest.ts';

/**
 * The HTTP API's contract, route by route of functions/manifest.ts: what each answers, with
 * the response schemas (events/api/*.ts), its path and query parameters, the errors it can
 * give and an example request. The roles and the request body's schema are not repeated
 * here: functions/api-document.ts reads them from each handler's own `spec`, the very
 * values it enforces. `npm run openapi` turns this into docs/openapi.json.
 * Only the document's builder imports this module, never a handler.
 */

type ManifestRoute = Extract<(typeof functions)[number], { routes: unknown }>['routes'][number];
/** `METHOD /path` of every route of the manifest. */
export type RouteKey = ManifestRoute extends infer R
  ? R extends { method: infer M extends string; path: infer P extends string }
    ? `${M} ${P}`
    : never
  : never;

type Schema = z.ZodMiniType;

/** One documented answer: its description, and a body per media type (null: no schema). */
export interface DocumentedResponse {
  readonly description: string;
  readonly content?: Readonly<Record<string, Schema | null>>;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RouteContract {
  readonly summary: string;
  readonly description?: string;
  readonly tag:
    | 'incidents'
    | 'advisories'
    | 'drills'
    | 'exercises'
    | 'directory'
    | 'sectors'
    | 'activities'
    | 'reports'
    | 'surveys'
    | 'audit'
    | 'public'
    | 'meta';
  readonly path?: z.ZodMiniObject;
  readonly query?: z.ZodMiniObject;
  /** A retry with the same `Idempotency-Key` and body returns the first answer and writes nothing. */
  readonly idempotent?: boolean;
  /** Answers other than the problem+json errors, by status. */
  readonly responses: Readonly<Record<number, DocumentedResponse>>;
  /** The problem+json errors this route can answer, besides 500. */
  readonly errors: readonly number[];
  /**
   * A body that is not JSON, read as the bytes themselves (an uploaded file): the media types it may
   * be declared as, what it must be, and an example in one of those types.
   */
  readonly rawBody?: {
    readonly description: string;
    readonly types: readonly string[];
    readonly example: { readonly type: string; readonly value: string };
  };
  /** An example request: its body, and query parameters' values. */
  readonly example?: { readonly body?: unknown; readonly query?: Readonly<Record<string, string>> };
}

/** The example values the document's requests carry (a test swaps in ids it created). */
export const EXAMPLE = {
  incidentId: '0f8fad5b-d9cb-469f-a165-70867728950e',
  advisoryId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  drillId: '3b241101-e2bb-4255-8caf-4136c566a962',
  contactCheckId: '9b2e4c1a-5d3f-4e8a-9c7b-1a2b3c4d5e6f',
  exerciseId: '5f0c1e2d-3b4a-4c5d-8e6f-7a8b9c0d1e2f',
  surveyId: '5a1e3f2b-7c4d-4e6f-8a9b-0c1d2e3f4a5b',
  org: 'asahi-petrochem',
  ackToken: 'eyJhbGciOiJIUzI1NiJ9.example.signature',
  streamId: 'incident#0f8fad5b-d9cb-469f-a165-70867728950e',
  checkpointId: 'latest',
  activityId: '5f0c9d2e-8a7b-4c6d-9e1f-2a3b4c5d6e7f',
  from: '2026-04-01T00:00:00+09:00',
} as const;

const meta = <T extends Schema>(schema: T, description: string, example: unknown): T => {
  z.globalRegistry.add(schema, { description, example });
  return schema;
};

const idParam = (what: string, example: string) =>
  z.object({
    id: meta(z.string().check(z.regex(UUID)), `the ${what}'s id (anything else is 404)`, example),
  });
const incidentPath = idParam('incident', EXAMPLE.incidentId);
const advisoryPath = idParam('advisory', EXAMPLE.advisoryId);
const exercisePath = idParam('exercise', EXAMPLE.exerciseId);
/** `?exercise=`: an exercise's own incidents or advisories instead of the real ones. */
const exerciseParam = z.optional(
  meta(
    z.string().check(z.regex(UUID, 'must be an exercise id (a UUID)')),
    'only the incidents or advisories of this cross-sector exercise; absent: only real ones (an exercise’s never mix with them)',
    EXAMPLE.exerciseId,
  ),
);
const surveyPath = idParam('survey', EXAMPLE.surveyId);

const limit = (fallback: number, max: number) =>
  z.optional(
    meta(
      z.string().check(z.regex(/^\d+$/)),
      `page size, 1 to ${max} (default ${fallback}); larger values are capped`,
      String(Math.min(fallback, 20)),
    ),
  );
const cursorParam = z.optional(
  meta(z.string(), 'the `cursor` of the previous page, as it came', 'eyJwayI6Imlu...'),
);
const page = (fallback: number, max: number) =>
  z.object({ limit: limit(fallback, max), cursor: cursorParam });
/** `?sector=`: one of the sectors the caller sees (one it does not see lists nothing). */
const sectorParamSchema = z.optional(
  meta(
    z.enum(sectorIds),
    'one of the sectors the caller sees; absent: every sector it sees (one it does not see lists nothing)',
    'chemical',
  ),
);
const sectorQuery = z.object({ sector: sectorParamSchema });
/** `{sector}/{fy}` of the report routes. */
const reportPath = z.object({
  sector: meta(z.enum(sectorIds), 'a sector the caller sees (another is 404)', 'chemical'),
  fy: meta(z.string().check(z.regex(/^\d{4}$/)), 'the fiscal year (1 April – 31 March, JST)', '2015'),
});
const bool = (description: string) => z.optional(meta(z.enum(['true', 'false']), description, 'false'));
const instantParam = (description: string, example: string) =>
  meta(z.iso.datetime({ offset: true }), description, example);

const json = (schema: Schema, description: string, headers?: Record<string, string>): DocumentedResponse => ({
  description,
  content: { 'application/json': schema },
  ...(headers ? { headers } : {}),
});

/** The errors every route behind the JWT authorizer can answer. */
const AUTH = [401, 403] as const;
/** A command with a body: bad input, too large, wrong state, key reused with another body. */
const COMMAND = [...AUTH, 400, 404, 409, 413, 422] as const;
const CREATED = { location: 'where the new resource is read' };

/** The documented example of POST /incidents (also the bench's first invocation of report-incident). */
export const REPORT_EXAMPLE = {
  title: 'Ransomware on the Chiba plant historian',
  description: 'Historian files encrypted at 09:40 JST; the DCS network is isolated.',
  category: 'cyber_attack',
  severity: 'high',
  occurredAt: '2026-11-26T00:40:00Z',
  detectedAt: '2026-11-26T00:50:00Z',
  affectedSystems: ['business_it', 'plant_control'],
  tlp: 'AMBER',
  contact: { name: '山田 太郎', email: 'yamada@asahi-petrochem.example', phone: '+81312345678' },
};
/** The documented example of POST /advisories (also the soak's advisories, bench/soak-workload.ts). */
export const ADVISORY_EXAMPLE = {
  title: 'VPN appliance exploited',
  body: 'A remote code execution flaw in a widely used VPN appliance is being exploited. Patch now.',
  tlp: 'AMBER',
  ackWithinHours: 24,
};

/** The documented example of POST /exercises: one incident inject in chemical, one advisory inject in gas. */
export const EXERCISE_EXAMPLE = {
  title: { ja: '分野横断的演習', en: 'Cross-sector exercise' },
  sectors: ['chemical', 'gas'],
  participants: [
    { org: 'asahi-petrochem', role: 'participant' },
    { org: 'kaigan-chemical', role: 'observer' },
    { org: 'gas-member-2', role: 'participant' },
  ],
  plannedStart: '2026-12-04T10:00:00+09:00',
  injects: [
    {
      id: 'ransomware',
      kind: 'incident',
      offsetMinutes: 0,
      sector: 'chemical',
      from: 'asahi-petrochem',
      title: 'Ransomware on the plant historian',
      body: 'Historian files encrypted; the DCS network is isolated.',
      contact: { name: '演習統制', email: 'control@nisc.example' },
      expected: [
        { role: 'secretariat', action: 'approve', withinMinutes: 30 },
        { role: 'ministry', action: 'receipt', withinMinutes: 60 },
        { role: 'nisc', action: 'receipt', withinMinutes: 90 },
      ],
    },
    {
      id: 'vpn-advisory',
      kind: 'advisory',
      offsetMinutes: 120,
      sector: 'gas',
      from: 'nisc',
      title: 'VPN appliance exploited',
      body: 'Patch the VPN appliance now.',
      expected: [
        { role: 'ministry', action: 'forward', withinMinutes: 30 },
        { role: 'secretariat', action: 'forward', withinMinutes: 30 },
        { role: 'member', action: 'acknowledge', withinMinutes: 240 },
      ],
    },
  ],
};

/** The documented example of a survey definition (POST /surveys, PUT /surveys/{id}). */
export const SURVEY_EXAMPLE = {
  title: { ja: '制御システムセキュリティ自己評価', en: 'Control-system security self-assessment' },
  language: 'ja',
  sections: [
    {
      id: 'controls',
      title: { ja: '対策', en: 'Controls' },
      questions: [
        {
          id: 'policy',
          kind: 'single',
          label: { ja: 'セキュリティ方針はありますか', en: 'Is there a security policy?' },
          required: true,
          options: [
            { value: 'yes', label: { ja: 'はい', en: 'Yes' }, score: 4 },
            { value: 'no', label: { ja: 'いいえ', en: 'No' }, score: 0 },
          ],
        },
        {
          id: 'c-access',
          kind: 'maturity',
          label: { ja: 'アクセス管理', en: 'Access control' },
          required: true,
        },
        { id: 'comment', kind: 'text', label: { ja: '課題', en: 'Open issues' } },
      ],
    },
  ],
};

export const contract = {
  'POST /incidents': {
    tag: 'incidents',
    summary: 'Report an incident',
    description: 'A member reports an IT incident (IT障害の報告); the relay starts with the secretariat.',
    idempotent: true,
    responses: { 201: json(incident.incidentAnswer, 'reported', CREATED) },
    errors: [...AUTH, 400, 413, 422],
    example: { body: REPORT_EXAMPLE },
  },
  'POST /incidents/{id}/follow-ups': {
    tag: 'incidents',
    summary: 'Add a follow-up (続報)',
    description: 'The reporting member amends its report; after a return, this resubmits it.',
    path: incidentPath,
    idempotent: true,
    responses: { 201: json(incident.incidentAnswer, 'added') },
    errors: COMMAND,
    example: {
      body: { description: 'Backups restored; historian back online.', recoveryStatus: 'recovered' },
    },
  },
  'POST /incidents/{id}/decision': {
    tag: 'incidents',
    summary: 'Approve or return the relay',
    path: incidentPath,
    idempotent: true,
    responses: { 200: json(incident.incidentAnswer, 'decided') },
    errors: COMMAND,
    example: { body: { decision: 'approve', note: '確認しました' } },
  },
  'POST /incidents/{id}/receipt': {
    tag: 'incidents',
    summary: 'Acknowledge receipt (the ministry, then NISC)',
    path: incidentPath,
    idempotent: true,
    responses: { 200: json(incident.incidentAnswer, 'acknowledged') },
    errors: COMMAND,
    example: { body: { note: '受領' } },
  },
  'POST /incidents/{id}/close': {
    tag: 'incidents',
    summary: 'Close a relayed incident',
    path: incidentPath,
    idempotent: true,
    responses: { 200: json(incident.incidentAnswer, 'closed') },
    errors: COMMAND,
    example: { body: {} },
  },
  'GET /incidents/{id}': {
    tag: 'incidents',
    summary: 'An incident: status, report, follow-ups, hops with deadlines, deliveries',
    path: incidentPath,
    responses: { 200: json(incident.incidentViewSchema, 'the incident') },
    errors: [...AUTH, 404],
  },
  'GET /incidents': {
    tag: 'incidents',
    summary: 'The incidents the caller may see, newest first',
    query: z.object({ ...page(50, 200).shape, sector: sectorParamSchema, exercise: exerciseParam }),
    responses: { 200: json(incident.incidentListSchema, 'a page of incidents') },
    errors: [...AUTH, 400],
    example: { query: { limit: '20' } },
  },
  'GET /incidents/{id}/events': {
    tag: 'incidents',
    summary: "An incident's event stream, oldest first",
    path: incidentPath,
    query: page(100, 1000),
    responses: { 200: json(incident.incidentEventsSchema, 'a page of events') },
    errors: [...AUTH, 400, 404],
  },
  'GET /directory/organizations/{org}': {
    tag: 'directory',
    summary: "An organisation's directory entry",
    path: z.object({ org: meta(orgId, 'the organisation id', EXAMPLE.org) }),
    responses: { 200: json(directory.organizationEntrySchema, 'the entry') },
    errors: [...AUTH, 400, 404],
  },
  'GET /directory/organizations': {
    tag: 'directory',
    summary:
      "A sector's organisations (its members, secretariat, ministry and NISC), with contacts and channels",
    description:
      'A member lists its own organisation, its sector’s secretariat, its ministry and NISC: never another member.',
    query: sectorQuery,
    responses: { 200: json(directory.organizationListSchema, 'the directory') },
    errors: [...AUTH, 400],
  },
  'GET /sectors': {
    tag: 'sectors',
    summary: 'The sectors (CEPTOARs) the caller may see',
    responses: { 200: json(sector.sectorListSchema, 'the sectors, by id') },
    errors: AUTH,
  },
  'GET /sectors/{id}': {
    tag: 'sectors',
    summary: 'One sector the caller may see (another is 404)',
    path: z.object({ id: meta(z.enum(sectorIds), 'the sector id', 'chemical') }),
    responses: { 200: json(sector.sectorSchema, 'the sector') },
    errors: [...AUTH, 404],
  },
  'PUT /sectors/{id}': {
    tag: 'sectors',
    summary:
      "Change a sector's entry (NISC): its own relay policy and reporting preset apply to its new incidents",
    description:
      "A preset of `japan-ceptoar` (the default) follows the deployment's preset; any other built-in id " +
      "(`nis2`, `circia`) or the deployment's custom preset id is the sector's own. `relayPolicy` gives " +
      "every hop's deadline hours per severity and the escalation bound; absent, the deployment's policy " +
      'applies. Incidents already reported keep the clocks they recorded. An unchanged entry writes nothing.',
    path: z.object({ id: meta(z.enum(sectorIds), 'the sector id', 'banking') }),
    responses: {
      200: json(sector.sectorPutSchema, 'the sector as it now stands (`changed` false: nothing written)'),
    },
    errors: [...AUTH, 400, 404, 409, 413],
    example: {
      body: {
        names: { ja: '銀行等CEPTOAR', en: 'Banking CEPTOAR' },
        secretariat: 'banking-secretariat',
        ministry: 'fsa',
        members: 1487,
        preset: 'nis2',
      },
    },
  },
  'PUT /directory/organizations/{org}': {
    tag: 'directory',
    summary: "Set an organisation's entry (each change an event)",
    path: z.object({ org: meta(orgId, 'the organisation id', EXAMPLE.org) }),
    responses: {
      200: json(directory.organizationPutSchema, 'updated (or unchanged: `changed` false, nothing written)'),
      201: json(directory.organizationPutSchema, 'registered'),
    },
    errors: [...AUTH, 400, 404, 409, 413],
    example: {
      body: {
        kind: 'member',
        name: { ja: '旭ペトロケム株式会社', en: 'Asahi Petrochem' },
        contacts: [
          {
            id: 'asahi-csirt',
            name: 'Asahi CSIRT',
            email: 'csirt@asahi-petrochem.example',
            phone: '+81312345678',
            primary: 'email',
            secondary: 'sms',
          },
        ],
      },
    },
  },
  'POST /directory/organizations/{org}/webhook-keys': {
    tag: 'directory',
    summary: "Rotate the organisation's webhook signing key",
    description:
      "Starts a new generation of the key that signs the organisation's webhooks (see `webhooks`) and answers it, this once: it is derived from a master secret, never stored, never shown again. Deliveries carry a signature with the new key at once, and with the previous key too for 24 hours, so the receiver switches keys at any moment within them. Not idempotent: each call starts another generation. A member rotates only its own organisation's key.",
    path: z.object({ org: meta(orgId, 'the organisation id', EXAMPLE.org) }),
    responses: {
      201: json(directory.webhookKeyAnswerSchema, 'the new key (`Cache-Control: no-store`)'),
    },
    errors: [...AUTH, 400, 404, 409, 413],
    example: { body: {} },
  },
  'POST /advisories': {
    tag: 'advisories',
    summary: 'Issue an advisory (情報提供)',
    description:
      "It starts down the chain from the issuer's place: NISC → ministry → secretariat → members. With `sectors` (a list of sector ids, or `all`), NISC (or a ministry, to the sectors it oversees) sends it to several sectors: the answer is the parent, and one ordinary advisory per sector (its `children`, each `NISC → that sector's ministry → its secretariat → its members`) is issued from it by a reaction; `GET /advisories/{id}` of the parent gives the per-sector and overall transmission rates. `sectors` goes with neither `sector` nor an `audience` list (400).",
    idempotent: true,
    responses: {
      201: json(
        z.union([advisory.advisoryAnswer, advisory.forkAnswer]),
        'issued (a fork: `kind: fork`)',
        CREATED,
      ),
    },
    errors: [...AUTH, 400, 413, 422],
    example: { body: ADVISORY_EXAMPLE },
  },
  'POST /drills': {
    tag: 'drills',
    summary: 'Start a drill: an advisory marked 【訓練】/[DRILL]',
    description:
      'The body of `POST /advisories` without `drill`. With `sectors` (a list of sector ids, or `all`), NISC (or a ministry, to the sectors it oversees) starts the drill in several sectors at once: the answer is the parent (`kind: fork`), each sector’s chain a drill of its own (its report at `/drills/{child}/report`), and `GET /advisories/{id}` of the parent gives the per-sector and overall rates, within one day included.',
    idempotent: true,
    responses: {
      201: json(
        z.union([advisory.advisoryAnswer, advisory.forkAnswer]),
        'started (in several sectors: `kind: fork`)',
        {
          location: 'the drill report (several sectors: the parent advisory)',
        },
      ),
    },
    errors: [...AUTH, 400, 413, 422],
    example: { body: { ...ADVISORY_EXAMPLE, title: 'Drill: VPN appliance exploited' } },
  },
  'POST /exercises': {
    tag: 'exercises',
    summary: 'Prepare a cross-sector exercise (分野横断的演習)',
    description:
      'NISC or a ministry (for its own sectors): sectors, participating and observing organisations, and a scenario of injects released at offsets from the start, each with the actions expected of each role within N minutes (scaled like every policy duration).',
    idempotent: true,
    responses: { 201: json(exercise.exerciseSchema, 'prepared (planned)', CREATED) },
    errors: [...AUTH, 400, 413, 422],
    example: { body: EXERCISE_EXAMPLE },
  },
  'GET /exercises': {
    tag: 'exercises',
    summary: 'The exercises the caller may see, newest first',
    query: page(50, 200),
    responses: { 200: json(exercise.exerciseListSchema, 'a page of exercises') },
    errors: [...AUTH, 400],
  },
  'GET /exercises/{id}': {
    tag: 'exercises',
    summary: 'An exercise: its scenario and which injects were released',
    path: exercisePath,
    responses: { 200: json(exercise.exerciseSchema, 'the exercise') },
    errors: [...AUTH, 404],
  },
  'POST /exercises/{id}/start': {
    tag: 'exercises',
    summary: 'Start an exercise: its injects are released at their offsets from now',
    path: exercisePath,
    idempotent: true,
    responses: { 200: json(exercise.exerciseSchema, 'running') },
    errors: COMMAND,
    example: { body: {} },
  },
  'POST /exercises/{id}/end': {
    tag: 'exercises',
    summary: 'End an exercise: nothing more is released; what was not done is missed',
    path: exercisePath,
    idempotent: true,
    responses: { 200: json(exercise.exerciseSchema, 'ended') },
    errors: COMMAND,
    example: { body: {} },
  },
  'GET /exercises/{id}/report': {
    tag: 'exercises',
    summary: "An exercise's after-action report, from the log as it stood at `asOf`",
    description:
      'Per inject, sector and organisation: the time from the release to each expected action, on time, late, missed or pending; rates per stage; the comparison across sectors; the timeline. CSV with `Accept: text/csv`.',
    path: exercisePath,
    query: z.object({
      asOf: z.optional(
        instantParam('the moment the report reads the log at (default: now)', '2026-12-31T23:59:59+09:00'),
      ),
    }),
    responses: {
      200: {
        description: 'the report',
        content: { 'application/json': exercise.exerciseReportSchema, 'text/csv': null },
      },
    },
    errors: [...AUTH, 400, 404],
  },
  'GET /drills': {
    tag: 'drills',
    summary: 'The drills, newest first, with the rate so far',
    query: z.object({ ...page(20, 100).shape, sector: sectorParamSchema }),
    responses: { 200: json(advisory.drillListSchema, 'a page of drills') },
    errors: [...AUTH, 400],
  },
  'POST /advisories/{id}/forward': {
    tag: 'advisories',
    summary: 'Forward an advisory down the chain (the ministry, then the secretariat)',
    description: "The secretariat's forward distributes it to the recipient organisations.",
    path: advisoryPath,
    idempotent: true,
    responses: { 200: json(advisory.advisoryAnswer, 'forwarded') },
    errors: COMMAND,
    example: { body: { note: '経産省より展開' } },
  },
  'POST /advisories/{id}/receipt': {
    tag: 'advisories',
    summary: "Acknowledge an advisory for the caller's organisation",
    path: advisoryPath,
    responses: { 200: json(advisory.ackAnswerSchema, 'recorded, or already recorded (nothing written)') },
    errors: [...AUTH, 400, 404, 409, 413],
    example: { body: {} },
  },
  'GET /ack/{token}': {
    tag: 'public',
    summary: 'An acknowledgement link: its state; records nothing',
    description:
      'Mail scanners open links before people do, so opening records nothing. A browser (Accept: text/html) gets a page with one button; errors are pages too.',
    path: z.object({ token: meta(z.string(), 'the signed token of the message', EXAMPLE.ackToken) }),
    responses: {
      200: {
        description: 'the acknowledgement state',
        content: { 'application/json': advisory.ackLinkState, 'text/html': null },
      },
    },
    errors: [401, 404],
  },
  'POST /ack/{token}': {
    tag: 'public',
    summary: "An acknowledgement link's button: records the acknowledgement",
    path: z.object({ token: meta(z.string(), 'the signed token of the message', EXAMPLE.ackToken) }),
    responses: {
      200: {
        description: 'recorded, or already recorded',
        content: { 'application/json': advisory.ackLinkRecorded, 'text/html': null },
      },
    },
    errors: [401, 404, 409],
  },
  'GET /advisories/{id}': {
    tag: 'advisories',
    summary: 'An advisory as TLP allows; for the chain every recipient and the rate',
    path: advisoryPath,
    responses: { 200: json(advisory.advisoryViewSchema, "the chain's or a member's view") },
    errors: [...AUTH, 404],
  },
  'GET /advisories': {
    tag: 'advisories',
    summary: 'The advisories the caller may see, each with what awaits the caller',
    query: z.object({
      ...page(50, 200).shape,
      sector: sectorParamSchema,
      drill: bool('only drills (true) or only real advisories (false)'),
      awaiting: bool('every advisory not closed yet that awaits the caller, in one response'),
      exercise: exerciseParam,
    }),
    responses: { 200: json(advisory.advisoryListSchema, 'a page of advisories') },
    errors: [...AUTH, 400],
  },
  'GET /board': {
    tag: 'advisories',
    summary: 'The bulletin board (電子掲示板): the advisories the caller may see',
    query: z.object({ ...page(50, 200).shape, sector: sectorParamSchema }),
    responses: { 200: json(advisory.boardSchema, 'a page of the board') },
    errors: [...AUTH, 400],
  },
  'GET /public/board': {
    tag: 'public',
    summary: 'The public board: TLP:CLEAR advisories with their text, no token',
    query: page(50, 200),
    responses: { 200: json(advisory.publicBoardSchema, 'a page of the public board') },
    errors: [400],
  },
  'GET /drills/{id}/report': {
    tag: 'drills',
    summary: "A drill's transmission-rate report (JSON, or CSV with Accept: text/csv)",
    path: idParam('drill', EXAMPLE.drillId),
    responses: {
      200: {
        description: 'the report',
        content: { 'application/json': advisory.drillReportSchema, 'text/csv': null },
      },
    },
    errors: [...AUTH, 404],
  },
  'POST /incidents/{id}/share': {
    tag: 'incidents',
    summary: 'Share an anonymised incident with the other members as an advisory',
    description:
      'Refused (400, naming the field) while the text still identifies the reporter. `?preview=true` runs every check and writes nothing.',
    path: incidentPath,
    query: z.object({ preview: bool('a dry run: answers 200 with what a recipient member would see') }),
    idempotent: true,
    responses: {
      200: json(advisory.sharePreviewSchema, 'the preview (`?preview=true`); nothing written'),
      201: json(advisory.advisoryAnswer, 'shared', CREATED),
    },
    errors: COMMAND,
    example: {
      body: {
        title: 'Ransomware on a plant historian',
        body: 'A member found historian files encrypted; the control network was isolated in time.',
        tlp: 'GREEN',
      },
    },
  },
  'POST /contact-checks': {
    tag: 'directory',
    summary: 'Send a contact check to every member contact on every channel',
    idempotent: true,
    responses: { 201: json(advisory.advisoryAnswer, 'sent', CREATED) },
    errors: [...AUTH, 400, 413, 422],
    example: { body: { ackWithinHours: 24 } },
  },
  'GET /contact-checks/{id}': {
    tag: 'directory',
    summary: 'Who confirmed a contact check, per organisation and contact',
    path: idParam('contact check', EXAMPLE.contactCheckId),
    responses: { 200: json(advisory.contactCheckSchema, 'the results') },
    errors: [...AUTH, 404],
  },
  'POST /surveys': {
    tag: 'surveys',
    summary: 'Build a survey (version 1); it reaches nobody until issued',
    description:
      'NISC (any sectors), a ministry (its sectors) or a secretariat (its sector). Questions: single or multiple choice, maturity 0–4 per control (J-CLICS), number, date, free text; required or not; shown only when an earlier answer matches (`showIf`). Labels in ja and en.',
    idempotent: true,
    responses: { 201: json(survey.surveyAnswerSchema, 'built', CREATED) },
    errors: [...AUTH, 400, 413, 422],
    example: { body: { definition: SURVEY_EXAMPLE, tlp: 'AMBER', series: 'jclics-self-assessment' } },
  },
  'GET /surveys': {
    tag: 'surveys',
    summary: 'The surveys the caller may see, newest first',
    query: sectorQuery,
    responses: { 200: json(survey.surveyListSchema, 'the surveys') },
    errors: [...AUTH, 400],
  },
  'GET /surveys/{id}': {
    tag: 'surveys',
    summary: "A survey's newest version and where it stands",
    path: surveyPath,
    responses: { 200: json(survey.surveyViewSchema, 'the survey') },
    errors: [...AUTH, 404],
  },
  'PUT /surveys/{id}': {
    tag: 'surveys',
    summary: 'Edit a survey: a new version (answers name the version they answered)',
    path: surveyPath,
    idempotent: true,
    responses: { 200: json(survey.surveyAnswerSchema, 'revised (or unchanged)') },
    errors: COMMAND,
    example: { body: { definition: SURVEY_EXAMPLE } },
  },
  'POST /surveys/{id}/issue': {
    tag: 'surveys',
    summary: "Issue a survey to its sectors' members with a due date",
    description:
      "Records the recipients (the current members of its sectors; for TLP:RED, their contacts' logins, the only ones who may see and answer it), the due date and `remindAt` (default: halfway to the due date). Each recipient contact is then told on its primary channel, in its language, with the console link; at `remindAt` the organisations that have not submitted are reminded on their contacts' secondary channel. The members also find it in `GET /surveys`.",
    path: surveyPath,
    idempotent: true,
    responses: { 200: json(survey.surveyAnswerSchema, 'issued') },
    errors: COMMAND,
    example: { body: { dueAt: '2027-01-31T08:00:00Z' } },
  },
  'GET /surveys/{id}/response': {
    tag: 'surveys',
    summary: "The calling member organisation's draft or submitted answers",
    path: surveyPath,
    responses: { 200: json(survey.responseViewSchema, 'the answers') },
    errors: [...AUTH, 400, 404],
  },
  'PUT /surveys/{id}/response': {
    tag: 'surveys',
    summary: 'Save a draft (every answer checked, none required; every save is an event)',
    path: surveyPath,
    idempotent: true,
    responses: { 200: json(survey.responseViewSchema, 'saved') },
    errors: COMMAND,
    example: { body: { answers: { policy: 'yes', 'c-access': 3 } } },
  },
  'POST /surveys/{id}/response/submit': {
    tag: 'surveys',
    summary: 'Submit the answers (or amend them until the survey closes); after the due date, late',
    path: surveyPath,
    idempotent: true,
    responses: { 200: json(survey.responseViewSchema, 'submitted') },
    errors: COMMAND,
    example: { body: {} },
  },
  'POST /surveys/{id}/close': {
    tag: 'surveys',
    summary: 'Close a survey: no answer or amendment after',
    path: surveyPath,
    idempotent: true,
    responses: { 200: json(survey.surveyAnswerSchema, 'closed') },
    errors: [...AUTH, 400, 404, 409, 422],
  },
  'GET /surveys/{id}/results': {
    tag: 'surveys',
    summary: "A survey's results as the caller may see them: JSON, CSV or XLSX",
    description:
      'A member: its own scores against the sector median and quartiles. The secretariat: its sector in full, per member. The ministry and NISC: per sector side by side, cells of fewer than k respondents withheld, free text only as released. `Accept: text/csv` gives the per-question table, `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` a workbook; headings in the survey language (`?lang=` overrides).',
    path: surveyPath,
    query: z.object({
      lang: z.optional(meta(z.enum(['ja', 'en']), 'the language of the export headings', 'ja')),
    }),
    responses: {
      200: {
        description: 'the results',
        content: {
          'application/json': survey.resultsSchema,
          'text/csv': null,
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': null,
        },
      },
    },
    errors: [...AUTH, 400, 404],
  },
  'GET /surveys/{id}/recipients': {
    tag: 'surveys',
    summary: "The secretariat's recipients of a survey in its sector: reached or not, and their answers",
    description:
      "Each member organisation the survey went to in the caller's sector: `reach` (a contact received the survey, every message failed, or no outcome yet), every message the survey sent it (the survey and its reminder, per contact and channel, with the address) and the failed attempts the queue retried before each outcome, and where its answer stands (none, a draft, submitted; late). Per-organisation rows never leave the sector: the secretariat only.",
    path: surveyPath,
    responses: { 200: json(survey.recipientsSchema, "the sector's recipients") },
    errors: [...AUTH, 400, 404],
  },
  'POST /surveys/{id}/free-text/{questionId}/release': {
    tag: 'surveys',
    summary: "Release the secretariat's edit of a free-text question's answers beyond the sector",
    path: z.object({
      ...surveyPath.shape,
      questionId: meta(z.string(), 'the free-text question', 'comment'),
    }),
    idempotent: true,
    responses: { 200: json(survey.surveyAnswerSchema, 'released') },
    errors: COMMAND,
    example: { body: { texts: ['人員不足が課題との回答が複数あった'] } },
  },
  'GET /audit/streams/{id}': {
    tag: 'audit',
    summary: 'A stream as it was at a moment: its folded state and the events up to then',
    path: z.object({
      id: meta(
        z.string().check(z.regex(STREAM_ID)),
        'a stream id `<type>#<id>`, URL-encoded',
        EXAMPLE.streamId,
      ),
    }),
    query: z.object({
      asOf: z.optional(instantParam('the moment (default: now)', '2026-11-26T10:00:00+09:00')),
    }),
    responses: { 200: json(audit.auditStreamSchema, 'the stream at that moment') },
    errors: [...AUTH, 400, 404],
  },
  'GET /audit/events': {
    tag: 'audit',
    summary: 'Every event of a period in recorded order (JSON pages, or NDJSON)',
    query: z.object({
      from: instantParam('the period’s start', EXAMPLE.from),
      to: z.optional(instantParam('the period’s end (default: now)', '2027-03-31T23:59:59+09:00')),
      ...page(100, 1000).shape,
    }),
    responses: {
      200: {
        description: 'a page; as NDJSON (Accept: application/x-ndjson) one event per line',
        content: { 'application/json': audit.auditEventsSchema, 'application/x-ndjson': null },
        headers: { 'x-next-cursor': "NDJSON only: the next page's cursor" },
      },
    },
    errors: [...AUTH, 400],
    example: { query: { from: EXAMPLE.from } },
  },
  'GET /audit/heads': {
    tag: 'audit',
    summary: "Every stream's head and last hash, a page at a time",
    query: z.object({
      ...page(5000, 20_000).shape,
      type: z.optional(
        meta(
          z.string().check(z.regex(STREAM_TYPE)),
          'one stream type’s heads only (what a stream id holds before `#`)',
          'survey',
        ),
      ),
    }),
    responses: {
      200: json(
        audit.auditHeadsSchema,
        'a page of heads by stream id; `cursor` asks for the next (null after the last). An auditor granted fewer sectors than all may get fewer than `limit` heads, even none, with a cursor',
      ),
    },
    errors: [...AUTH, 400],
  },
  'GET /audit/compliance': {
    tag: 'audit',
    summary: 'Deadline compliance per hop and severity for a period',
    query: z.object({
      from: instantParam('the period’s start', EXAMPLE.from),
      to: z.optional(instantParam('the period’s end (default: now)', '2027-03-31T23:59:59+09:00')),
      exercise: exerciseParam,
    }),
    responses: { 200: json(audit.complianceSchema, 'the report') },
    errors: [...AUTH, 400],
    example: { query: { from: EXAMPLE.from } },
  },
  'GET /audit/checkpoints': {
    tag: 'audit',
    summary: 'The signed checkpoints and the public key they verify under',
    responses: { 200: json(audit.checkpointListSchema, 'the checkpoint ids') },
    errors: AUTH,
  },
  'POST /audit/checkpoints': {
    tag: 'audit',
    summary: 'Publish a signed checkpoint now',
    responses: { 201: json(audit.checkpointSchema, 'published', CREATED) },
    errors: AUTH,
  },
  'GET /audit/checkpoints/{id}': {
    tag: 'audit',
    summary: 'One checkpoint (`latest` for the newest) with its leaves, a page at a time',
    description:
      'Leaves in the tree’s order, `limit` a page: 5,000 by default and at most 20,000; for an auditor granted fewer sectors than all, whose leaves each come with their proof, 2,000 and at most 4,000 (a page then holds only its sectors’ leaves among those). Ask for the next page by the checkpoint’s id, not `latest`.',
    path: z.object({ id: meta(z.string(), 'a checkpoint id, or `latest`', EXAMPLE.checkpointId) }),
    query: page(5000, 20_000),
    responses: {
      200: json(
        audit.checkpointWithLeavesSchema,
        'the checkpoint and a page of its leaves; `cursor` asks for the next (null after the last)',
      ),
    },
    errors: [...AUTH, 400, 404],
  },
  'GET /audit/checkpoints/{id}/proof': {
    tag: 'audit',
    summary: "One stream's inclusion proof in a checkpoint",
    path: z.object({ id: meta(z.string(), 'a checkpoint id, or `latest`', EXAMPLE.checkpointId) }),
    query: z.object({
      stream: meta(z.string().check(z.regex(STREAM_ID)), 'the stream id', EXAMPLE.streamId),
    }),
    responses: { 200: json(audit.inclusionProofSchema, 'the proof') },
    errors: [...AUTH, 400, 404],
    example: { query: { stream: EXAMPLE.streamId } },
  },
  'POST /activities': {
    tag: 'activities',
    summary: 'Record an activity of the sector (WG meeting, JPCERT/CC exchange, council, committee report)',
    description:
      'The secretariat records what happened outside the system, in its own sector, so the fiscal-year report lists it. `date` is the day in Japan; `participants` names organisations and/or people.',
    idempotent: true,
    responses: { 201: json(report.activitySchema, 'recorded', CREATED) },
    errors: COMMAND,
    example: {
      body: {
        date: '2015-06-12',
        kind: 'wg-meeting',
        title: '第1回 情報セキュリティWG',
        participants: { organizations: ['asahi-petrochem', 'kaigan-chemical'], people: ['WGリーダ'] },
        note: 'JPCERT/CCとの意見交換の準備',
      },
    },
  },
  'GET /activities': {
    tag: 'activities',
    summary: "The sector's recorded activities, in date order",
    query: z.object({
      fy: z.optional(
        meta(z.string().check(z.regex(/^\d{4}$/)), 'a fiscal year (1 April – 31 March, JST)', '2015'),
      ),
      sector: sectorParamSchema,
    }),
    responses: { 200: json(report.activityListSchema, 'the activities') },
    errors: [...AUTH, 400],
    example: { query: { fy: '2015' } },
  },
  'GET /activities/{id}': {
    tag: 'activities',
    summary: 'One recorded activity',
    path: idParam('activity', EXAMPLE.activityId),
    responses: { 200: json(report.activitySchema, 'the activity') },
    errors: [...AUTH, 404],
  },
  'POST /activities/{id}/minutes': {
    tag: 'activities',
    summary: 'Attach minutes to an activity (the file is the body: PDF, DOCX or plain text)',
    description: `The type is told by the bytes (a declared Content-Type must agree, else 415); at most ${MAX_MINUTES_BYTES / 1024} KiB (413). The file is kept in the blob store (S3 in AWS, the data folder locally) and recorded as an event with its SHA-256.`,
    path: idParam('activity', EXAMPLE.activityId),
    query: z.object({
      filename: z.optional(
        meta(
          z.string().check(z.regex(MINUTES_FILENAME, 'letters, digits, spaces and . _ - ( ), 1 to 120')),
          'the file name to record: letters and digits of any script, spaces and . _ - ( ), 1 to 120 characters',
          'minutes.pdf',
        ),
      ),
    }),
    rawBody: {
      description: `The file itself, as the body (not multipart, not base64): a PDF, a Word document (DOCX) or plain UTF-8 text without control characters, told by its bytes. A declared Content-Type must be the file's own type or \`${ANY_BYTES}\` (none leaves it to the bytes too), else 415. At most ${MAX_MINUTES_BYTES} bytes (413); an empty body is 400.`,
      types: MINUTES_UPLOAD_TYPES,
      example: { type: 'text/plain', value: 'Minutes of the 2026-11 liaison meeting.' },
    },
    responses: { 201: json(report.minutesSchema, 'attached', CREATED) },
    errors: [...AUTH, 400, 404, 409, 413, 415],
  },
  'GET /activities/{id}/minutes/{n}': {
    tag: 'activities',
    summary: "Download an activity's n-th minutes file",
    path: z.object({
      id: idParam('activity', EXAMPLE.activityId).shape.id,
      n: meta(z.string().check(z.regex(/^\d{1,3}$/)), 'the file number, from 1', '1'),
    }),
    responses: {
      200: {
        description: 'the file as stored (X-Content-Sha256 names its hash)',
        content: {
          'application/pdf': null,
          'application/vnd.openxmlformats-officedocument.wordprocessingml.document': null,
          'text/plain': z.string(),
        },
      },
    },
    errors: [...AUTH, 404],
  },
  'GET /reports/{sector}/{fy}/plan': {
    tag: 'reports',
    summary: "Next year's plan (次年度活動計画) as drafted",
    path: reportPath,
    responses: { 200: json(report.planSchema, 'the draft (no sections before the first save)') },
    errors: [...AUTH, 400, 404],
  },
  'PUT /reports/{sector}/{fy}/plan': {
    tag: 'reports',
    summary: "Save the draft of next year's plan, in sections (each change an event)",
    path: reportPath,
    responses: { 200: json(report.planPutSchema, 'saved (or unchanged: `changed` false, nothing written)') },
    errors: [...AUTH, 400, 404, 409, 413],
    example: {
      body: {
        sections: [
          { heading: '安全基準の運用と改善', body: '安全基準（第１版）の会員への浸透をはかる。' },
          { heading: '分野横断的演習への参加', body: '官民連携で行う分野横断演習等に参加する。' },
        ],
      },
    },
  },
  'GET /reports/{sector}/{fy}': {
    tag: 'reports',
    summary: 'The fiscal-year activity report (年度活動報告・次年度活動計画): JSON, HTML or an A4 PDF',
    description:
      "Computed from the event log exactly as a signed checkpoint covered it (the newest at or before `asOf`; 409 when there is none), which the report names, so anyone can recompute it. `Accept: text/html` gives the document (the same inputs, the same bytes); `Accept: application/pdf` it printed on A4 by Chromium, its Japanese in the Noto Sans JP it embeds (501 where the deployment has no Chromium). Japanese, or English with `lang=en`. Another sector's report is 404.",
    path: reportPath,
    query: z.object({
      asOf: z.optional(
        instantParam(
          'the moment: the newest checkpoint at or before it (default: the newest)',
          '2016-04-01T00:00:00+09:00',
        ),
      ),
      lang: z.optional(meta(z.enum(['ja', 'en']), 'the language (default ja)', 'ja')),
    }),
    responses: {
      200: {
        description: 'the report',
        content: {
          'application/json': report.annualReportSchema,
          'text/html': null,
          'application/pdf': null,
        },
      },
    },
    errors: [...AUTH, 400, 404, 409, 501],
    example: { query: { lang: 'ja' } },
  },
  'GET /openapi.json': {
    tag: 'public',
    summary: 'This document (OpenAPI 3.1), without a token',
    responses: {
      200: json(
        z.looseObject({ openapi: z.literal('3.1.0'), info: z.looseObject({ title: z.string() }) }),
        'the OpenAPI document',
      ),
    },
    errors: [],
  },
} as const satisfies Record<RouteKey, RouteContract>;
