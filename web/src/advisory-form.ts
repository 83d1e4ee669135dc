// The issue form's pure side: the fields become the POST /advisories body and are validated by the very
// schema the API validates with (events/advisory/body.ts); zod's issues become message keys per field.
import { issueAdvisoryBody } from '../../events/advisory/body.ts';
import type { MessageKey } from './i18n/ja.ts';
import type { FieldError } from './report-form.ts';

/** What the issue form holds, as typed and chosen. */
export interface AdvisoryFields {
  title: string;
  body: string;
  tlp: string;
  severity: string;
  /** As typed; '' leaves the API's default (24). */
  ackWithinHours: string;
  audienceMode: 'all' | 'chosen';
  audience: string[];
  drill: boolean;
  /**
   * Where it goes (NISC and the ministries, who see several sectors): `one` sector (`sector`; '' leaves
   * the API's default), `several` (`sectors`) or `all`. Several or all fork it into one chain per
   * sector, to every member of each.
   */
  sectorMode: 'one' | 'several' | 'all';
  sector: string;
  sectors: string[];
}

export const emptyAdvisoryFields = (): AdvisoryFields => ({
  title: '',
  body: '',
  tlp: '',
  severity: 'high',
  ackWithinHours: '24',
  audienceMode: 'all',
  audience: [],
  drill: false,
  sectorMode: 'one',
  sector: '',
  sectors: [],
});

/** The POST /advisories body the fields stand for (before validation). */
export function advisoryBody(f: AdvisoryFields): Record<string, unknown> {
  const hours = f.ackWithinHours.trim();
  return {
    title: f.title,
    body: f.body,
    ...(f.tlp ? { tlp: f.tlp } : {}),
    ...(f.severity ? { severity: f.severity } : {}),
    // Number('') is 0 and Number('abc') NaN: both are then refused by the schema, as they should be.
    ...(hours === '' ? {} : { ackWithinHours: Number(hours) }),
    drill: f.drill,
    ...(f.sectorMode === 'one'
      ? {
          ...(f.sector ? { sector: f.sector } : {}),
          audience: f.audienceMode === 'all' ? 'all' : f.audience,
        }
      : // A fork goes to every member of each sector (the API refuses a chosen audience with it).
        { sectors: f.sectorMode === 'all' ? 'all' : f.sectors, audience: 'all' }),
  };
}

export type AdvisoryField = Exclude<keyof AdvisoryFields, 'audienceMode' | 'sectorMode'>;

/** The form field an API error path names (audience.3 → audience). */
export function advisoryFieldOf(path: string): AdvisoryField | undefined {
  const head = path.split('.')[0] ?? '';
  const fields: readonly string[] = [
    'title',
    'body',
    'tlp',
    'severity',
    'ackWithinHours',
    'audience',
    'drill',
    'sector',
    'sectors',
  ];
  return fields.includes(head) ? (head as AdvisoryField) : undefined;
}

interface Issue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly maximum?: number | bigint;
}

function messageOf(field: AdvisoryField, issue: Issue): FieldError {
  switch (field) {
    case 'ackWithinHours':
      return { key: 'error.hours' };
    case 'audience':
    case 'sectors':
      return { key: 'error.chooseOne' };
    case 'sector':
      return { key: 'error.choose' };
    case 'tlp':
    case 'severity':
      return { key: 'error.choose' };
    default:
      if (issue.code === 'too_big')
        return { key: 'error.tooLong', params: { max: Number(issue.maximum ?? 0) } };
      return { key: issue.code === 'too_small' ? 'error.required' : ('error.invalid' satisfies MessageKey) };
  }
}

/** Validates the fields with the API's schema: the body to send, or the first error of each field. */
export function validateAdvisory(
  fields: AdvisoryFields,
):
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; errors: Partial<Record<AdvisoryField, FieldError>> } {
  const parsed = issueAdvisoryBody().safeParse(advisoryBody(fields));
  if (parsed.success) return { ok: true, body: parsed.data };
  const errors: Partial<Record<AdvisoryField, FieldError>> = {};
  for (const issue of parsed.error.issues) {
    const field = advisoryFieldOf(issue.path.map(String).join('.'));
    if (field && !errors[field]) errors[field] = messageOf(field, issue as Issue);
  }
  return { ok: false, errors };
}

/** Form order, for the error summary and the first field to focus. */
export const advisoryFieldOrder: readonly AdvisoryField[] = [
  'title',
  'tlp',
  'severity',
  'ackWithinHours',
  'sector',
  'sectors',
  'audience',
  'body',
  'drill',
];
