import { hops, severities } from '../policy.ts';
import * as z from '../zod.ts';
import { cursor, eventShape, instant, nullableInstant } from './shapes.ts';

/** The response schemas of the auditors' routes. */

const hash = z.string().check(z.regex(/^[0-9a-f]{64}$/));

/** An event as the audit API shows it: everything stored, hashes included. */
export const auditEventSchema = z.object({
  streamId: z.string(),
  ...eventShape,
  prevHash: z.nullable(hash),
  hash: z.nullable(hash),
});

/** GET /audit/streams/{id}. */
export const auditStreamSchema = z.object({
  streamId: z.string(),
  streamType: z.string(),
  asOf: nullableInstant,
  version: z.number(),
  folded: z.boolean(),
  /** The folded state at `asOf`: its shape is the stream type's (null when not folded). */
  state: z.unknown(),
  events: z.array(auditEventSchema),
});

/** GET /audit/events as JSON. */
export const auditEventsSchema = z.object({
  from: instant,
  to: instant,
  items: z.array(auditEventSchema),
  cursor,
});

const leaf = z.object({ streamId: z.string(), version: z.number(), hash });

/** GET /audit/heads: a page of heads in stream-id order. */
export const auditHeadsSchema = z.object({
  items: z.array(z.object({ ...leaf.shape, streamType: z.string(), updatedAt: instant })),
  cursor,
});

/** A signed checkpoint. */
export const checkpointSchema = z.object({
  format: z.literal('ceptoar-checkpoint/1'),
  id: z.string(),
  createdAt: instant,
  treeSize: z.number(),
  rootHash: hash,
  algorithm: z.enum(['Ed25519', 'ECDSA_SHA_256']),
  keyId: z.string(),
  signature: z.string(),
});

/** GET /audit/checkpoints. */
export const checkpointListSchema = z.object({
  items: z.array(z.string()),
  publicKey: z.string(),
  keyId: z.string(),
});

/** A stream's inclusion in a checkpoint: its head then and the audit path to the signed root. */
const proof = z.object({
  checkpointId: z.string(),
  streamId: z.string(),
  version: z.number(),
  hash,
  leafIndex: z.number(),
  path: z.array(hash),
});

/**
 * GET /audit/checkpoints/{id}: the checkpoint and a page of its leaves. For an auditor granted fewer
 * sectors than all: its sectors' leaves only, and `proofs`, each leaf's path to the root.
 */
export const checkpointWithLeavesSchema = z.object({
  checkpoint: checkpointSchema,
  leaves: z.array(leaf),
  proofs: z.optional(z.array(proof)),
  publicKey: z.string(),
  cursor,
});

/** GET /audit/checkpoints/{id}/proof. */
export const inclusionProofSchema = z.object({
  checkpoint: checkpointSchema,
  publicKey: z.string(),
  proof,
});

/** GET /audit/compliance. */
export const complianceSchema = z.object({
  from: instant,
  to: instant,
  now: instant,
  rows: z.array(
    z.object({
      hop: z.enum(hops),
      severity: z.enum(severities),
      total: z.number(),
      met: z.number(),
      missed: z.number(),
      open: z.number(),
      shareMet: z.nullable(z.number()),
      escalations: z.number(),
      slowest: z.array(
        z.object({ incidentId: z.string(), ms: z.number(), outcome: z.enum(['met', 'missed', 'open']) }),
      ),
    }),
  ),
  /** Per reporting stage of each preset: the incidents whose clock for it started in the period. */
  stages: z.array(
    z.object({
      preset: z.string(),
      stage: z.string(),
      names: z.object({ ja: z.string(), en: z.string() }),
      total: z.number(),
      met: z.number(),
      late: z.number(),
      missed: z.number(),
      open: z.number(),
      shareMet: z.nullable(z.number()),
    }),
  ),
});
