import { builtOnce } from '../built-once.ts';
import { text } from '../fields.ts';
import { reportingId, stageFieldSchemas } from '../reporting.ts';
import * as z from '../zod.ts';

// The small bodies of the incident routes, apart from the report (report.ts), each built on its first use
// (builtOnce): every function that reads incidents imports this module (through report.ts), and only the one
// route that takes a body parses it (bench/RESULTS.md, section 2: schemas built at import).

export const recoveryStatuses = ['investigating', 'mitigating', 'recovered'] as const;
export type RecoveryStatus = (typeof recoveryStatuses)[number];

/**
 * The body of POST /incidents/{id}/follow-ups (続報). `stage` names the reporting stage it fulfils
 * (events/reporting.ts), whose required fields it must then carry; the others are optional.
 */
export const followUpBody = /* @__PURE__ */ builtOnce(() => {
  const fields = stageFieldSchemas();
  return z.strictObject({
    description: text(20_000),
    recoveryStatus: z.enum(recoveryStatuses),
    stage: z.optional(reportingId()),
    impact: z.optional(fields.impact),
    indicators: z.optional(fields.indicators),
    rootCause: z.optional(fields.rootCause),
    mitigation: z.optional(fields.mitigation),
    crossBorderImpact: z.optional(fields.crossBorderImpact),
    ransomPayment: z.optional(fields.ransomPayment),
  });
});
export type FollowUpBody = z.output<ReturnType<typeof followUpBody>>;

/** The body of POST /incidents/{id}/decision. */
export const decisionBody = /* @__PURE__ */ builtOnce(() =>
  z.strictObject({
    decision: z.enum(['approve', 'return']),
    note: z.optional(text(5_000)),
  }),
);

/** The body of POST /incidents/{id}/receipt and /close. */
export const noteBody = /* @__PURE__ */ builtOnce(() => z.strictObject({ note: z.optional(text(5_000)) }));
