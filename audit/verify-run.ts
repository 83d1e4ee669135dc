import { LogVerifier, type VerifyReport } from '../events/audit/verify.ts';
import { inclusionProofs } from '../functions/audit/audit-checkpoints.ts';
import type { Progress } from './progress.ts';
import type { AuditSource } from './source.ts';

export { verifyExport } from './verify-file.ts';

/** A verification report and where the public key came from. */
export interface VerifyOutcome extends VerifyReport {
  /** `pinned`: given by the auditor; `export`: taken from the file itself (weaker: say so). */
  readonly keySource: 'pinned' | 'export' | 'none';
}

/**
 * Verifies the live log: every stream's chain against its head, and the latest checkpoint's
 * leaves against the streams (a stream it lists that is gone, or that no longer matches).
 */
export async function verifyLive(
  source: AuditSource,
  options: { progress?: Progress } = {},
): Promise<VerifyOutcome> {
  const publicKeyPem = await source.publicKeyPem();
  const verifier = new LogVerifier(publicKeyPem);
  const latest = await source.latestCheckpoint();
  const proofs = latest ? inclusionProofs(latest.checkpoint, latest.leaves) : new Map();
  if (latest) verifier.checkpoint(latest.checkpoint);
  const heads = await source.heads();
  const present = new Set(heads.map((h) => h.streamId));
  options.progress?.start(heads.length, 'streams');
  for (const head of heads) {
    verifier.beginStream(head.streamId, proofs.get(head.streamId), {
      version: head.version,
      hash: head.hash,
    });
    for await (const e of source.streamEvents(head.streamId)) verifier.event(e);
    verifier.endStream();
    options.progress?.increment();
  }
  options.progress?.stop();
  for (const leaf of latest?.leaves ?? []) {
    if (!present.has(leaf.streamId))
      verifier.missingStream(leaf.streamId, latest?.checkpoint.id ?? '', leaf.version);
  }
  return { ...verifier.report(), keySource: publicKeyPem ? 'pinned' : 'none' };
}

/** The report as text: a summary line, then one line per failure naming stream and version. */
export function formatReport(outcome: VerifyOutcome): string {
  const lines = [
    `${outcome.ok ? 'OK' : 'FAILED'}: ${outcome.events} events in ${outcome.streams} streams, ` +
      `${outcome.checkpoints} checkpoint(s), ${outcome.anchored} stream(s) anchored by a checkpoint proof`,
  ];
  if (outcome.keySource === 'export') {
    lines.push(
      'warning: the public key was taken from the file itself; pin it with --public-key for a real check',
    );
  }
  if (outcome.keySource === 'none') lines.push('warning: no public key: checkpoints could not be verified');
  for (const f of outcome.failures)
    lines.push(`  ${f.kind}\t${f.streamId ?? '-'}\t${f.version ?? '-'}\t${f.message}`);
  return lines.join('\n');
}
