import { publishCheckpoint } from './audit/audit-checkpoints.ts';
import { checkpointSetup } from './audit/audit-config.ts';
import { auditClient } from './audit/audit-http.ts';
import { listAllHeads } from './audit/audit-log.ts';
import { eventsTable } from './runtime/config.ts';
import { logger } from './runtime/logger.ts';

/** On a schedule: a signed Merkle checkpoint over every stream's head, written once where it cannot be rewritten. */
export const handler = async (): Promise<{ id: string; treeSize: number; rootHash: string }> => {
  const { signer, archive } = checkpointSetup();
  const heads = await listAllHeads(auditClient, eventsTable);
  const checkpoint = await publishCheckpoint({ heads, signer, archive, now: new Date().toISOString() });
  logger.info('checkpoint published', { id: checkpoint.id, treeSize: checkpoint.treeSize });
  return { id: checkpoint.id, treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash };
};
