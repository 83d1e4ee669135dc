import { channels, contactSchema, orgId, orgKinds } from '../directory/directory.ts';
import { sectorIds } from '../sector/catalog.ts';
import * as z from '../zod.ts';
import { instant } from './shapes.ts';

/** The response schemas of the directory routes. */

const names = z.object({ ja: z.string(), en: z.string() });

/** GET /directory/organizations/{org}: the entry as stored (defaults filled in). */
export const organizationEntrySchema = z.object({
  org: orgId,
  kind: z.enum(orgKinds),
  sector: z.optional(z.enum(sectorIds)),
  name: names,
  contacts: z.array(contactSchema()),
  updatedAt: instant,
  version: z.number(),
});

/** PUT /directory/organizations/{org}: the entry now, and whether this request changed it. */
export const organizationPutSchema = z.object({
  org: orgId,
  kind: z.enum(orgKinds),
  sector: z.optional(z.enum(sectorIds)),
  name: names,
  contacts: z.array(contactSchema()),
  version: z.number(),
  changed: z.boolean(),
});

/** GET /directory/organizations. */
export const organizationListSchema = z.object({
  items: z.array(
    z.object({
      org: orgId,
      kind: z.enum(orgKinds),
      /** The sector of a member or a secretariat; null for a ministry or NISC. */
      sector: z.nullable(z.enum(sectorIds)),
      member: z.boolean(),
      name: names,
      contacts: z.number(),
      channels: z.array(z.enum(channels)),
      twoRoutes: z.boolean(),
      updatedAt: instant,
      version: z.number(),
    }),
  ),
});

/** POST /directory/organizations/{org}/webhook-keys: the new key, shown this once. */
export const webhookKeyAnswerSchema = z.object({
  org: orgId,
  generation: z.int().check(z.positive()),
  secret: z.string().check(z.regex(/^whsec_[A-Za-z0-9+/]{43}=$/)),
  since: instant,
  previous: z.array(z.object({ generation: z.int().check(z.nonnegative()), signsUntil: instant })),
  overlapHours: z.number(),
});
