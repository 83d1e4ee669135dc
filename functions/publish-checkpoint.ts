import { publishCheckpoint } from './commons/audit-checkpoints.ts';
import { checkpointSetup } from './commons/audit-config.ts';
import { auditClient } from './commons/audit-http.ts';
import { listAllHeads } from './commons/audit-log.ts';
import { eventsTable } from './commons/config.ts';
import { logger } from './commons/logger.ts';

/** On a schedule: a signed Merkle checkpoint over every stream's head, written once where it cannot be rewritten. */
export const handler = async (): Promise<{ id: string; treeSize: number; rootHash: string }> => {
  const { signer, archive } = checkpointSetup();
  const heads = await listAllHeads(auditClient, eventsTable);
  const checkpoint = await publishCheckpoint({ heads, signer, archive, now: new Date().toISOString() });
  logger.info('checkpoint published', { id: checkpoint.id, treeSize: checkpoint.treeSize });
  return { id: checkpoint.id, treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash };
};
