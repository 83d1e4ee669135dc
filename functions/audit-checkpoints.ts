import { NotFoundError } from '../events/errors.ts';
import { publishCheckpoint } from './commons/audit-checkpoints.ts';
import { checkpointSetup } from './commons/audit-config.ts';
import { auditClient } from './commons/audit-http.ts';
import { listAllHeads } from './commons/audit-log.ts';
import { eventsTable } from './commons/config.ts';
import { httpHandler } from './commons/http.ts';

/**
 * GET /audit/checkpoints: the checkpoint ids and the public key they verify under.
 * GET /audit/checkpoints/{id}: one checkpoint (`latest` for the newest) and its leaves.
 * POST /audit/checkpoints: publish a checkpoint now.
 */
export const handler = httpHandler({ allow: ['auditor'] }, async (request) => {
  const { signer, archive } = checkpointSetup();
  const method = request.event.requestContext.http.method;
  if (method === 'POST') {
    const heads = await listAllHeads(auditClient, eventsTable);
    const checkpoint = await publishCheckpoint({ heads, signer, archive, now: new Date().toISOString() });
    return { status: 201, body: checkpoint, headers: { location: `/audit/checkpoints/${checkpoint.id}` } };
  }
  const ids = await archive.list();
  const wanted = request.params.id;
  if (wanted === undefined) {
    return { status: 200, body: { items: ids, publicKey: await signer.publicKeyPem(), keyId: signer.keyId } };
  }
  const id = wanted === 'latest' ? ids[ids.length - 1] : wanted;
  const found = id === undefined ? null : await archive.get(id);
  if (!found) throw new NotFoundError('no such checkpoint');
  return { status: 200, body: { ...found, publicKey: await signer.publicKeyPem() } };
});
