import { z } from 'zod';
import { orgId } from '../directory/directory.ts';
import { tlpLabels } from '../incident/report.ts';
import { severities } from '../policy.ts';

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const common = {
  title: text(200),
  body: text(20_000),
  tlp: z.enum(tlpLabels),
  /** Sets the forwarding hops' deadlines (relay policy); advisories default to high. */
  severity: z.enum(severities).default('high'),
  ackWithinHours: z.number().positive('must be positive').max(720, 'must be at most 720 hours').default(24),
  audience: z
    .union([
      z.literal('all'),
      z
        .array(orgId)
        .min(1, 'name at least one organisation')
        .max(5000)
        .refine((a) => new Set(a).size === a.length, 'must not repeat an organisation'),
    ])
    .default('all'),
};

/** The body of POST /advisories (情報提供). */
export const issueAdvisoryBody = z.strictObject({ ...common, drill: z.boolean().default(false) });
export type IssueAdvisoryBody = z.infer<typeof issueAdvisoryBody>;

/** The body of POST /drills: an advisory marked as an exercise. */
export const drillBody = z.strictObject(common);

/** The body of POST /advisories/{id}/forward. */
export const forwardBody = z.strictObject({ note: text(5_000).optional() });

/** The body of POST /incidents/{id}/share: the text the secretariat edited for the other members. */
export const shareBody = z.strictObject({
  title: text(200),
  body: text(20_000),
  tlp: z.enum(tlpLabels),
  ackWithinHours: common.ackWithinHours,
});
