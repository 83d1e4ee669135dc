import { severities } from '../policy.ts';
import * as z from '../zod.ts';

/** TLP 2.0 labels (FIRST Traffic Light Protocol). */
export const tlpLabels = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof tlpLabels)[number];

export const categories = ['cyber_attack', 'natural_disaster', 'system_failure', 'other'] as const;
export const affectedSystemKinds = ['business_it', 'plant_control'] as const;
export const recoveryStatuses = ['investigating', 'mitigating', 'recovered'] as const;
export type RecoveryStatus = (typeof recoveryStatuses)[number];

const isoInstant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone' });

// C0 controls but tab and line breaks, DEL, C1 controls, the bidirectional embeddings, overrides and
// isolates (they reorder what a reader sees: "Trojan Source"), and unpaired surrogates (no text at all).
const HIDDEN_CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;

/** Refuses text with characters that hide or reorder what people read; every other Unicode text is kept as sent. */
export const plainText = z.refine<string>(
  (s) => !HIDDEN_CONTROL.test(s),
  'must not contain control characters, bidirectional overrides or unpaired surrogates',
);

/**
 * A required text field: no hidden controls (anywhere, before trimming: a vertical tab at the end
 * is refused, not silently cut), trimmed, not empty, at most `max` characters.
 */
export const text = (max: number) =>
  z
    .string()
    .check(
      plainText,
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(max, `must be at most ${max} characters`),
    );

/** A phone number in E.164 form (+81…), the form SMS delivery needs. */
export const e164 = z
  .string()
  .check(z.regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +81312345678'));

/** The person the secretariat calls back about a report. */
export const contactSchema = z.strictObject({
  name: text(200),
  email: z.email('must be an e-mail address').check(z.maxLength(254)),
  phone: z.optional(e164),
});

/** The body of POST /incidents: what a member reports (IT障害の報告). */
export const reportIncidentBody = z
  .strictObject({
    title: text(200),
    description: text(20_000),
    category: z.enum(categories),
    severity: z.enum(severities),
    occurredAt: isoInstant,
    detectedAt: isoInstant,
    affectedSystems: z.array(z.enum(affectedSystemKinds)).check(
      z.minLength(1, 'name at least one affected system'),
      z.refine((a) => new Set(a).size === a.length, 'must not repeat a system'),
    ),
    tlp: z.enum(tlpLabels),
    contact: contactSchema,
  })
  .check(
    z.refine((r) => Date.parse(r.detectedAt) >= Date.parse(r.occurredAt), {
      path: ['detectedAt'],
      message: 'must not be before occurredAt',
    }),
  );
export type Report = z.infer<typeof reportIncidentBody>;

/** The body of POST /incidents/{id}/follow-ups (続報). */
export const followUpBody = z.strictObject({
  description: text(20_000),
  recoveryStatus: z.enum(recoveryStatuses),
});

/** The body of POST /incidents/{id}/decision. */
export const decisionBody = z.strictObject({
  decision: z.enum(['approve', 'return']),
  note: z.optional(text(5_000)),
});

/** The body of POST /incidents/{id}/receipt and /close. */
export const noteBody = z.strictObject({ note: z.optional(text(5_000)) });
