// The report form's pure side: the form's text fields become the API body, validated by the very schema
// the API validates with (events/incident/report.ts), and zod's issues become message keys per field.
import { reportIncidentBody } from '../../events/incident/report.ts';
import type { MessageKey } from './i18n/ja.ts';

/** What the form holds: text as typed, checkbox choices, nothing parsed yet. */
export interface ReportFields {
  title: string;
  description: string;
  category: string;
  severity: string;
  /** `datetime-local` values, in the browser's time zone. */
  occurredAt: string;
  detectedAt: string;
  affectedSystems: string[];
  tlp: string;
  contactName: string;
  contactEmail: string;
  contactPhone: string;
}

export const emptyReportFields = (): ReportFields => ({
  title: '',
  description: '',
  category: '',
  severity: '',
  occurredAt: '',
  detectedAt: '',
  affectedSystems: [],
  tlp: '',
  contactName: '',
  contactEmail: '',
  contactPhone: '',
});

/** A `datetime-local` value as an ISO instant ('' stays '' so the schema reports it). */
export function localToIso(value: string): string {
  if (value === '') return '';
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

/** The POST /incidents body the fields stand for (before validation). */
export function reportBody(f: ReportFields): Record<string, unknown> {
  return {
    title: f.title,
    description: f.description,
    ...(f.category ? { category: f.category } : {}),
    ...(f.severity ? { severity: f.severity } : {}),
    occurredAt: localToIso(f.occurredAt),
    detectedAt: localToIso(f.detectedAt),
    affectedSystems: f.affectedSystems,
    ...(f.tlp ? { tlp: f.tlp } : {}),
    contact: {
      name: f.contactName,
      email: f.contactEmail,
      ...(f.contactPhone.trim() ? { phone: f.contactPhone.trim() } : {}),
    },
  };
}

/** A field's error: the message key and its parameters. */
export interface FieldError {
  readonly key: MessageKey;
  readonly params?: Record<string, string | number>;
}

/** Form field names by API path (contact.email → contactEmail). */
export const fieldOfPath = (path: string): keyof ReportFields | undefined =>
  (
    ({
      title: 'title',
      description: 'description',
      category: 'category',
      severity: 'severity',
      occurredAt: 'occurredAt',
      detectedAt: 'detectedAt',
      affectedSystems: 'affectedSystems',
      tlp: 'tlp',
      'contact.name': 'contactName',
      'contact.email': 'contactEmail',
      'contact.phone': 'contactPhone',
    }) as Record<string, keyof ReportFields>
  )[path.replace(/^(affectedSystems)\.\d+$/, '$1')];

interface Issue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly origin?: string;
  readonly format?: string;
  readonly maximum?: number | bigint;
}

/** The message for one zod issue, given the value the field held. */
export function messageOfIssue(issue: Issue, value: unknown): FieldError {
  const empty = value === undefined || (typeof value === 'string' && value.trim() === '');
  switch (issue.code) {
    case 'too_small':
      return issue.origin === 'array' ? { key: 'error.chooseOne' } : { key: 'error.required' };
    case 'too_big':
      return { key: 'error.tooLong', params: { max: Number(issue.maximum ?? 0) } };
    case 'invalid_format':
      if (empty) return { key: 'error.required' };
      if (issue.format === 'email') return { key: 'error.email' };
      if (issue.format === 'datetime') return { key: 'error.datetime' };
      return { key: 'error.phone' };
    case 'invalid_value':
    case 'invalid_type':
      return issue.path.length === 1 && ['category', 'severity', 'tlp'].includes(String(issue.path[0]))
        ? { key: 'error.choose' }
        : { key: 'error.required' };
    case 'custom':
      if (issue.path.join('.') === 'detectedAt') return { key: 'error.detectedBeforeOccurred' };
      if (issue.path.join('.') === 'affectedSystems') return { key: 'error.duplicate' };
      return { key: 'error.invalid' };
    default:
      return { key: 'error.invalid' };
  }
}

const valueAt = (body: Record<string, unknown>, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined),
    body,
  );

// Only ever combined with the person's own dates, never sent.
const WELL_FORMED = {
  title: 'x',
  description: 'x',
  category: 'other',
  severity: 'low',
  affectedSystems: ['business_it'],
  tlp: 'CLEAR',
  contact: { name: 'x', email: 'x@example.com' },
};

/** Validates the fields with the API's schema: the body to send, or the first error of each field. */
export function validateReport(
  fields: ReportFields,
):
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; errors: Partial<Record<keyof ReportFields, FieldError>> } {
  const body = reportBody(fields);
  const parsed = reportIncidentBody().safeParse(body);
  if (parsed.success) return { ok: true, body: parsed.data };
  const errors: Partial<Record<keyof ReportFields, FieldError>> = {};
  // zod runs an object's cross-field rules only once every field is valid; the person should hear about
  // the dates at once, so the same schema checks them again beside fields that are known to be valid.
  const dates = reportIncidentBody().safeParse({
    ...WELL_FORMED,
    occurredAt: body.occurredAt,
    detectedAt: body.detectedAt,
  });
  // The order rule means something only once both dates are there (a missing one is its own error).
  const bothDates =
    !Number.isNaN(Date.parse(String(body.occurredAt))) && !Number.isNaN(Date.parse(String(body.detectedAt)));
  const issues = [...parsed.error.issues, ...(dates.success ? [] : dates.error.issues)].filter(
    (i) => bothDates || !(i.code === 'custom' && i.path.join('.') === 'detectedAt'),
  );
  for (const issue of issues) {
    const field = fieldOfPath(issue.path.map(String).join('.'));
    if (field && !errors[field]) errors[field] = messageOfIssue(issue as Issue, valueAt(body, issue.path));
  }
  return { ok: false, errors };
}

/** Form order: the error summary lists fields, and focus goes to the first, in the order people read them. */
export const reportFieldOrder: readonly (keyof ReportFields)[] = [
  'title',
  'category',
  'severity',
  'occurredAt',
  'detectedAt',
  'affectedSystems',
  'tlp',
  'description',
  'contactName',
  'contactEmail',
  'contactPhone',
];
