import { orgId } from '../directory/directory.ts';
import { text, tlpLabels } from '../fields.ts';
import { severities } from '../policy.ts';
import { sectorIds } from '../sector/catalog.ts';
import * as z from '../zod.ts';

const common = {
  title: text(200),
  body: text(20_000),
  tlp: z.enum(tlpLabels),
  /** Sets the forwarding hops' deadlines (relay policy); advisories default to high. */
  severity: z._default(z.enum(severities), 'high'),
  ackWithinHours: z._default(
    z.number().check(z.positive('must be positive'), z.maximum(720, 'must be at most 720 hours')),
    24,
  ),
  /** The sector it goes to: one the issuer sees (default: its only one, else chemical when it sees that). */
  sector: z.optional(z.enum(sectorIds)),
  audience: z._default(
    z.union([
      z.literal('all'),
      z.array(orgId).check(
        z.minLength(1, 'name at least one organisation'),
        z.maxLength(5000),
        z.refine((a) => new Set(a).size === a.length, 'must not repeat an organisation'),
      ),
    ]),
    'all',
  ),
};

/** The body of POST /advisories (情報提供). */
export const issueAdvisoryBody = z.strictObject({ ...common, drill: z._default(z.boolean(), false) });
export type IssueAdvisoryBody = z.output<typeof issueAdvisoryBody>;

/** The body of POST /drills: an advisory marked as an exercise. */
export const drillBody = z.strictObject(common);

/** The body of POST /advisories/{id}/forward. */
export const forwardBody = z.strictObject({ note: z.optional(text(5_000)) });

/** The body of POST /incidents/{id}/share: the text the secretariat edited for the other members. */
export const shareBody = z.strictObject({
  title: text(200),
  body: text(20_000),
  tlp: z.enum(tlpLabels),
  ackWithinHours: common.ackWithinHours,
});
export type ShareBody = z.output<typeof shareBody>;
