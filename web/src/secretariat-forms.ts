// The secretariat's forms, pure: text fields become the API bodies, validated by the very schemas the
// API validates with (events/advisory/body.ts, events/directory/directory.ts), and zod's issues, or the
// API's own problem, become message keys per field.
import { drillBody, shareBody } from '../../events/advisory/body.ts';
import type { DirectoryChannel, OrganizationEntry } from '../../events/directory/directory.ts';
import { organizationSchema } from '../../events/directory/directory.ts';
import type { MessageKey } from './i18n/ja.ts';
import { type FieldError, messageOfIssue } from './report-form.ts';

/** A zod issue, or an API problem's `{path, message}` read as one. */
export interface IssueLike {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly origin?: string;
  readonly format?: string;
  readonly maximum?: number | bigint;
}

/** The API schemas' own messages that say more than their issue code, by what they say. */
const byMessage: readonly [RegExp, MessageKey][] = [
  [/still identifies the reporting company/, 'error.identifying'],
  [/needs this address/, 'error.addressNeeded'],
  [/must differ from the primary channel/, 'error.secondarySame'],
  [/member contact needs a secondary channel/, 'error.secondaryNeeded'],
  [/repeated id/, 'error.duplicateId'],
  [/must be a contact id/, 'error.idFormat'],
  [/https:\/\/ URL/, 'error.url'],
  [/at least one contact/, 'error.oneContact'],
];

/** The message for one issue, given the value the field held. */
export function messageOf(issue: IssueLike, value: unknown): FieldError {
  for (const [pattern, key] of byMessage) if (pattern.test(issue.message)) return { key };
  if (issue.path.at(-1) === 'ackWithinHours') return { key: 'error.hours' };
  if (
    issue.code === 'invalid_value' &&
    ['primary', 'secondary', 'lang', 'kind'].includes(String(issue.path.at(-1)))
  )
    return { key: 'error.choose' };
  return messageOfIssue(issue, value);
}

const valueAt = (body: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined),
    body,
  );

/**
 * The form field an error path shows on, or undefined when the form has none for it. Fields are
 * named by their API path (`contacts.0.email`); a form may show several paths on one field (every
 * entry of `sectors` on the sectors' fieldset), as advisory-form.ts's advisoryFieldOf does.
 */
export type FieldOf = (path: string) => string | undefined;

/** Every path is its own field. */
export const eachPath: FieldOf = (path) => path;

/** A field for each of `fields`, and nothing else. */
const onlyFields =
  (fields: readonly string[]): FieldOf =>
  (path) =>
    fields.includes(path) ? path : undefined;

/** The first error of each field. */
export function errorsOf(
  issues: readonly IssueLike[],
  body: unknown,
  fieldOf: FieldOf,
): Record<string, FieldError> {
  const errors: Record<string, FieldError> = {};
  for (const issue of issues) {
    const field = fieldOf(issue.path.map(String).join('.'));
    if (field !== undefined && !errors[field]) errors[field] = messageOf(issue, valueAt(body, issue.path));
  }
  return errors;
}

/** The API's 400 `errors` as field errors. */
export const serverErrorsOf = (
  errors: readonly { path: string; message: string }[],
  fieldOf: FieldOf,
): Record<string, FieldError> =>
  errorsOf(
    errors.map((e) => ({ code: 'custom', path: e.path.split('.'), message: e.message })),
    undefined,
    fieldOf,
  );

export type Validated =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; errors: Record<string, FieldError> };

function validate(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: unknown } | { success: false; error: { issues: IssueLike[] } };
  },
  body: Record<string, unknown>,
  fieldOf: FieldOf,
): Validated {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, body: parsed.data as Record<string, unknown> };
  return { ok: false, errors: errorsOf(parsed.error.issues, body, fieldOf) };
}

/** An hours field as typed: a number when it reads as one, else the text (so the schema refuses it). */
const hours = (text: string): unknown => (text.trim() === '' ? undefined : Number(text));

// --- the drill form (POST /drills) ---

export interface DrillFields {
  title: string;
  body: string;
  tlp: string;
  severity: string;
  ackWithinHours: string;
  /**
   * Where it goes, for NISC and a ministry (who see several sectors): `one` sector (`sector`; '' leaves
   * the API's default, the caller's only sector or chemical), `several` (`sectors`) or `all`: a fork,
   * one drill per sector, as the advisory form sends.
   */
  sectorMode: 'one' | 'several' | 'all';
  sector: string;
  sectors: string[];
}
export const drillFieldOrder = [
  'title',
  'body',
  'tlp',
  'severity',
  'ackWithinHours',
  'sector',
  'sectors',
] as const;
export const emptyDrillFields = (): DrillFields => ({
  title: '',
  body: '',
  tlp: 'GREEN',
  severity: 'low',
  ackWithinHours: '24',
  sectorMode: 'one',
  sector: '',
  sectors: [],
});
/** A field of the form; an entry of `sectors` (the API names `sectors.<i>`) shows on the sectors. */
const drillFieldOf: FieldOf = (path) =>
  path.startsWith('sectors.') ? 'sectors' : onlyFields(drillFieldOrder)(path);

export const validateDrill = (f: DrillFields): Validated =>
  validate(
    drillBody(),
    {
      title: f.title,
      body: f.body,
      tlp: f.tlp,
      severity: f.severity,
      ackWithinHours: hours(f.ackWithinHours),
      audience: 'all',
      ...(f.sectorMode === 'one'
        ? f.sector
          ? { sector: f.sector }
          : {}
        : { sectors: f.sectorMode === 'all' ? 'all' : f.sectors }),
    },
    drillFieldOf,
  );
export const drillServerErrors = (errors: readonly { path: string; message: string }[]) =>
  serverErrorsOf(errors, drillFieldOf);

// --- the share form (POST /incidents/{id}/share) ---

export interface ShareFields {
  title: string;
  body: string;
  tlp: string;
  ackWithinHours: string;
}
export const shareFieldOrder = ['title', 'body', 'tlp', 'ackWithinHours'] as const;
const shareFieldOf = onlyFields(shareFieldOrder);

export const validateShare = (f: ShareFields): Validated =>
  validate(
    shareBody(),
    { title: f.title, body: f.body, tlp: f.tlp, ackWithinHours: hours(f.ackWithinHours) },
    shareFieldOf,
  );
export const shareServerErrors = (errors: readonly { path: string; message: string }[]) =>
  serverErrorsOf(errors, shareFieldOf);

// --- the directory entry form (PUT /directory/organizations/{org}) ---

export interface ContactFields {
  id: string;
  name: string;
  email: string;
  phone: string;
  webhook: string;
  voice: string;
  login: string;
  lang: string;
  escalation: boolean;
  primary: string;
  secondary: string;
}
export interface OrganizationFields {
  kind: string;
  nameJa: string;
  nameEn: string;
  contacts: ContactFields[];
}
/** A contact's text fields, in form order; each is also its API path under `contacts.<i>.`. */
export const contactTextFields = ['id', 'name', 'email', 'phone', 'webhook', 'voice', 'login'] as const;

export const emptyContact = (): ContactFields => ({
  id: '',
  name: '',
  email: '',
  phone: '',
  webhook: '',
  voice: '',
  login: '',
  lang: 'ja',
  escalation: false,
  primary: 'email',
  secondary: '',
});

/** The form's fields for an entry as GET /directory/organizations/{org} answers it. */
export const organizationFields = (entry: OrganizationEntry): OrganizationFields => ({
  kind: entry.kind,
  nameJa: entry.name.ja,
  nameEn: entry.name.en,
  contacts: entry.contacts.map((c) => ({
    id: c.id,
    name: c.name,
    email: c.email ?? '',
    phone: c.phone ?? '',
    webhook: c.webhook ?? '',
    voice: c.voice ?? '',
    login: c.login ?? '',
    lang: c.lang,
    escalation: c.escalation,
    primary: c.primary,
    secondary: c.secondary ?? '',
  })),
});

const optional = (key: string, text: string) => (text.trim() === '' ? {} : { [key]: text.trim() });

/** The PUT body the fields stand for (before validation); an empty address is no address. */
export const organizationBody = (f: OrganizationFields): Record<string, unknown> => ({
  kind: f.kind,
  name: { ja: f.nameJa, en: f.nameEn },
  contacts: f.contacts.map((c) => ({
    id: c.id.trim(),
    name: c.name,
    ...optional('email', c.email),
    ...optional('phone', c.phone),
    ...optional('webhook', c.webhook),
    ...optional('voice', c.voice),
    ...optional('login', c.login),
    lang: c.lang,
    escalation: c.escalation,
    primary: c.primary,
    ...optional('secondary', c.secondary),
  })),
});

const ORG_FIELD =
  /^(kind|name\.ja|name\.en|contacts|contacts\.\d+\.(id|name|email|phone|webhook|voice|login|lang|primary|secondary))$/;
const orgFieldOf: FieldOf = (path) => (ORG_FIELD.test(path) ? path : undefined);

export const validateOrganization = (f: OrganizationFields): Validated =>
  validate(organizationSchema(), organizationBody(f), orgFieldOf);
export const organizationServerErrors = (errors: readonly { path: string; message: string }[]) =>
  serverErrorsOf(errors, orgFieldOf);

/** Form order of an entry's fields, for the error summary. */
export const organizationFieldOrder = (f: OrganizationFields): string[] => [
  'kind',
  'name.ja',
  'name.en',
  'contacts',
  ...f.contacts.flatMap((_c, i) =>
    [...contactTextFields, 'lang', 'primary', 'secondary'].map((k) => `contacts.${i}.${k}`),
  ),
];

export type { DirectoryChannel };
