import type { Checkpoint } from '../events/audit/checkpoint.ts';
import { LogVerifier, type VerifyReport } from '../events/audit/verify.ts';
import { inclusionProofs } from '../functions/commons/audit-checkpoints.ts';
import { EXPORT_FORMAT, readExport } from './export-file.ts';
import type { Progress } from './progress.ts';
import type { AuditSource } from './source.ts';

/** A verification report and where the public key came from. */
export interface VerifyOutcome extends VerifyReport {
  /** `pinned`: given by the auditor; `export`: taken from the file itself (weaker: say so). */
  readonly keySource: 'pinned' | 'export' | 'none';
}

/** Verifies an export file as a stream: chains, checkpoint signatures, inclusion proofs. */
export async function verifyExport(
  path: string,
  options: { publicKeyPem?: string | undefined; progress?: Progress; totalBytes?: number } = {},
): Promise<VerifyOutcome> {
  let verifier: LogVerifier | undefined;
  let keySource: VerifyOutcome['keySource'] = 'none';
  let head: { version: number; hash: string } | null = null;
  let n = 0;
  for await (const record of readExport(path)) {
    switch (record.kind) {
      case 'header': {
        if (record.format !== EXPORT_FORMAT) throw new Error(`${path}: not a ${EXPORT_FORMAT} file`);
        const key = options.publicKeyPem ?? record.publicKey ?? undefined;
        keySource = options.publicKeyPem ? 'pinned' : record.publicKey ? 'export' : 'none';
        verifier = new LogVerifier(key);
        break;
      }
      case 'checkpoint': {
        const { kind: _kind, ...checkpoint } = record;
        need(verifier, path).checkpoint(checkpoint as Checkpoint);
        break;
      }
      case 'stream':
        if (head) need(verifier, path).endStream(head);
        head = record.head;
        need(verifier, path).beginStream(record.streamId, record.proof ?? undefined);
        break;
      case 'event':
        need(verifier, path).event(record);
        // The bar moves every 10,000 events: updating it per event would cost more than verifying.
        if (++n % 10_000 === 0) options.progress?.update(n);
        break;
      default: {
        const _never: never = record;
        throw new Error(`unknown record ${JSON.stringify(_never)}`);
      }
    }
  }
  const v = need(verifier, path);
  if (head) v.endStream(head);
  return { ...v.report(), keySource };
}

function need(verifier: LogVerifier | undefined, path: string): LogVerifier {
  if (!verifier) throw new Error(`${path}: the first line must be the export header`);
  return verifier;
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
    verifier.beginStream(head.streamId, proofs.get(head.streamId));
    for await (const e of source.streamEvents(head.streamId)) verifier.event(e);
    verifier.endStream({ version: head.version, hash: head.hash });
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
