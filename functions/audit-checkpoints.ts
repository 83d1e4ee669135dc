import { NotFoundError } from '../events/errors.ts';
import { inclusionProofs, latestCheckpoint, publishCheckpoint } from './audit/audit-checkpoints.ts';
import { checkpointSetup } from './audit/audit-config.ts';
import { auditClient, streamIdParam } from './audit/audit-http.ts';
import { listAllHeads } from './audit/audit-log.ts';
import { auditScope } from './audit/audit-scope.ts';
import { httpHandler } from './http/http.ts';
import { eventsTable } from './runtime/config.ts';

/**
 * GET /audit/checkpoints: the checkpoint ids and the public key they verify under.
 * GET /audit/checkpoints/{id}: one checkpoint (`latest` for the newest) and its leaves.
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
  // Listing the archive only for `latest`: a named checkpoint is one read.
  const found = wanted === 'latest' ? await latestCheckpoint(archive) : await archive.get(wanted);
  if (!found) throw new NotFoundError('no such checkpoint');
  const publicKey = await signer.publicKeyPem();
  const scope = auditScope(request.actor);
  if (proofOf === null) {
    if (scope.everything) return { status: 200, body: { ...found, publicKey } };
    const own = await scope.visible(found.leaves.map((l) => l.streamId));
    const proofs = inclusionProofs(found.checkpoint, found.leaves, own);
    const leaves = found.leaves.filter((l) => own.has(l.streamId));
    return {
      status: 200,
      body: { checkpoint: found.checkpoint, leaves, proofs: [...proofs.values()], publicKey },
    };
  }
  const covered = scope.everything || (await scope.sees(proofOf));
  const proof = covered
    ? inclusionProofs(found.checkpoint, found.leaves, new Set([proofOf])).get(proofOf)
    : undefined;
  if (!proof) throw new NotFoundError(`checkpoint ${found.checkpoint.id} does not cover ${proofOf}`);
  return { status: 200, body: { checkpoint: found.checkpoint, publicKey, proof } };
});
