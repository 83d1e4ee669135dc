import { ministryIds, sectorIds } from '../sector/catalog.ts';
import * as z from '../zod.ts';

/** The response schemas of the sector routes. */

/** One sector as GET /sectors and GET /sectors/{id} answer it. */
export const sectorSchema = z.object({
  id: z.enum(sectorIds),
  names: z.object({ ja: z.string(), en: z.string() }),
  secretariat: z.string(),
  ministry: z.enum(ministryIds),
  members: z.number(),
  preset: z.string(),
  relayPolicy: z.optional(z.unknown()),
});

/** GET /sectors. */
export const sectorListSchema = z.object({ items: z.array(sectorSchema) });

/** PUT /sectors/{id}: the sector as changed, the stream's version, and whether anything was written. */
export const sectorPutSchema = z.object({
  ...sectorSchema.shape,
  version: z.number(),
  changed: z.boolean(),
});
