import { NotFoundError } from '../events/errors.ts';
import {
  type CheckpointReader,
  checkpointReader,
  inclusionProofs,
  publishCheckpoint,
} from './audit/audit-checkpoints.ts';
import { checkpointSetup } from './audit/audit-config.ts';
import { auditClient, streamIdParam } from './audit/audit-http.ts';
import { listAllHeads } from './audit/audit-log.ts';
import { auditScope } from './audit/audit-scope.ts';
import { httpHandler } from './http/http.ts';
import { invalidCursor, pageLimit } from './http/paging.ts';
import { eventsTable } from './runtime/config.ts';

// The archive's checkpoints, read once per warm container (they are write-once).
let reader: CheckpointReader | undefined;

/**
 * GET /audit/checkpoints: the checkpoint ids and the public key they verify under.
 * GET /audit/checkpoints/{id}: one checkpoint (`latest` for the newest) and its leaves, `limit` of
 * them a page in the tree's order (5,000 by default, at most 20,000; for an auditor granted fewer
 * sectors than all, whose leaves each come with a proof of ~1 KB, 2,000 and 4,000), the next page's
 * `cursor` in the body (null after the last; ask for the next page by the checkpoint's id, not
 * `latest`, which a newer checkpoint may take over meanwhile).
 * GET /audit/checkpoints/{id}/proof?stream=: the checkpoint without its leaves, and the audit
 * path of one stream's head to its root, so a browser can check one stream without every leaf.
 * POST /audit/checkpoints: publish a checkpoint now.
 *
 * A checkpoint is global: one signed root over every sector's heads. An auditor granted fewer
 * sectors than all sees the signed checkpoint (root, tree size, signature) whole, but of its
 * leaves only its sectors' streams, each with its inclusion proof (`proofs`) to check against
 * the root; a proof of another sector's stream is 404, as if the checkpoint did not cover it.
 */
export const handler = httpHandler({ allow: ['auditor'] }, async (request) => {
  const { signer, archive } = checkpointSetup();
  reader ??= checkpointReader(archive);
  const method = request.event.requestContext.http.method;
  if (method === 'POST') {
    const heads = await listAllHeads(auditClient, eventsTable);
    const checkpoint = await publishCheckpoint({ heads, signer, archive, now: new Date().toISOString() });
    return { status: 201, body: checkpoint, headers: { location: `/audit/checkpoints/${checkpoint.id}` } };
  }
  const wanted = request.params.id;
  if (wanted === undefined) {
    const ids = await archive.list();
    return { status: 200, body: { items: ids, publicKey: await signer.publicKeyPem(), keyId: signer.keyId } };
  }
  const proofOf = request.event.routeKey.endsWith('/proof')
    ? streamIdParam(request.query.stream, 'stream')
    : null;
  const scope = auditScope(request.actor);
  // The page asked for is checked before the checkpoint is looked up: a bad one is 400 either way.
  const limit =
    proofOf === null
      ? pageLimit(request.query.limit, scope.everything ? 5000 : 2000, scope.everything ? 20_000 : 4000)
      : 0;
  const start = proofOf === null ? leafCursor(request.query.cursor) : 0;
  // Listing the archive only for `latest`: a named checkpoint is one read.
  const found = wanted === 'latest' ? await reader.latest() : await reader.get(wanted);
  if (!found) throw new NotFoundError('no such checkpoint');
  const publicKey = await signer.publicKeyPem();
  if (proofOf === null) {
    // A cursor names a leaf of the checkpoint it came with.
    if (start > 0 && start >= found.leaves.length) throw invalidCursor();
    const page = found.leaves.slice(start, start + limit);
    const end = start + page.length;
    const cursor = end < found.leaves.length ? `l.${end}` : null;
    const { checkpoint } = found;
    if (scope.everything) return { status: 200, body: { checkpoint, leaves: page, publicKey, cursor } };
    const own = await scope.visible(page.map((l) => l.streamId));
    const proofs = inclusionProofs(checkpoint, found.leaves, own, found.tree());
    const leaves = page.filter((l) => own.has(l.streamId));
    return { status: 200, body: { checkpoint, leaves, proofs: [...proofs.values()], publicKey, cursor } };
  }
  const covered = scope.everything || (await scope.sees(proofOf));
  const proof = covered
    ? inclusionProofs(found.checkpoint, found.leaves, new Set([proofOf]), found.tree()).get(proofOf)
    : undefined;
  if (!proof) throw new NotFoundError(`checkpoint ${found.checkpoint.id} does not cover ${proofOf}`);
  return { status: 200, body: { checkpoint: found.checkpoint, publicKey, proof } };
});

/** A leaves cursor: `l.` and the index of the page's first leaf; 0 when absent. */
function leafCursor(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const index = /^l\.([1-9]\d{0,8})$/.exec(raw)?.[1];
  if (index === undefined) throw invalidCursor();
  return Number(index);
}
