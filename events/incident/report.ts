import { builtOnce } from '../built-once.ts';
import { e164Phone, text, tlpLabels } from '../fields.ts';
import { severities } from '../policy.ts';
import * as z from '../zod.ts';

export { plainText, type Tlp, text, tlpLabels } from '../fields.ts';

export const categories = ['cyber_attack', 'natural_disaster', 'system_failure', 'other'] as const;
export const affectedSystemKinds = ['business_it', 'plant_control'] as const;
export { type RecoveryStatus, recoveryStatuses } from './bodies.ts';

const isoInstant = /* @__PURE__ */ z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 date-time with a time zone',
});

/** A phone number in E.164 form (+81…), the form SMS delivery needs. */
export const e164 = /* @__PURE__ */ e164Phone();

/** The person the secretariat calls back about a report (built on first use, as the report's schema). */
export const contactSchema = /* @__PURE__ */ builtOnce(() =>
  z.strictObject({
    name: text(200),
    email: z.email('must be an e-mail address').check(z.maxLength(254)),
    phone: z.optional(e164),
  }),
);

/**
 * The body of POST /incidents: what a member reports (IT障害の報告). Built on its first use: the
 * functions that read incidents import this module and never parse a report (bench/RESULTS.md, section 2).
 */
export const reportIncidentBody = /* @__PURE__ */ builtOnce(() =>
  z
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
      contact: contactSchema(),
    })
    .check(
      z.refine((r) => Date.parse(r.detectedAt) >= Date.parse(r.occurredAt), {
        path: ['detectedAt'],
        message: 'must not be before occurredAt',
      }),
    ),
);
export type Report = z.infer<ReturnType<typeof reportIncidentBody>>;

export { decisionBody, followUpBody, noteBody } from './bodies.ts';
