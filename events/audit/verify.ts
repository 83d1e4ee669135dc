import type { Checkpoint } from './checkpoint.ts';
import { verifyCheckpointSignature } from './checkpoint.ts';
import { eventHash, GENESIS_HASH, type HashedContent } from './hash.ts';
import { verifyInclusion } from './merkle.ts';
import type { FailureKind, InclusionProof } from './types.ts';

export type { FailureKind, InclusionProof } from './types.ts';

/**
 * The verifier, fed one stream at a time, one event at a time, so that memory stays flat
 * however long the log: per stream it keeps only the last version and hash. Each failure
 * names the stream and, where there is one, the version.
 */

/** An event as exported or read back, with its chain links. */
export interface ChainedEvent extends Omit<HashedContent, 'prevHash'> {
  readonly prevHash?: string | undefined;
  readonly hash?: string | undefined;
}

/** One thing that does not hold. */
export interface Failure {
  readonly kind: FailureKind;
  readonly streamId?: string;
  readonly version?: number;
  readonly message: string;
}

/** The outcome: what was checked and what failed. */
export interface VerifyReport {
  readonly streams: number;
  readonly events: number;
  readonly checkpoints: number;
  /** Streams whose head is pinned by a checkpoint's proof. */
  readonly anchored: number;
  readonly failures: readonly Failure[];
  readonly ok: boolean;
}

interface StreamState {
  streamId: string;
  lastVersion: number;
  lastHash: string;
  proof: InclusionProof | undefined;
  /** The hash the stream has at the proof's version, once read. */
  hashAtProof: string | undefined;
  /** The stream's head as the log lists it, when given before the events. */
  head: { version: number; hash: string | undefined } | undefined;
  /** The hash the stream has at the head's version, once read. */
  hashAtHead: string | undefined;
  broken: boolean;
}

/** Streaming verifier: `checkpoint()`, then per stream `beginStream()`, `event()`…, `endStream()`; `report()`. */
export class LogVerifier {
  private readonly checkpoints = new Map<string, { checkpoint: Checkpoint; valid: boolean }>();
  private readonly failures: Failure[] = [];
  private current: StreamState | undefined;
  private streams = 0;
  private events = 0;
  private anchored = 0;
  /** At most this many failures are kept per stream: one tampered event should not drown the report. */
  private readonly maxPerStream = 5;
  private streamFailures = 0;

  constructor(private readonly publicKeyPem: string | undefined) {}

  /** Registers a checkpoint; its signature is checked now. */
  checkpoint(checkpoint: Checkpoint, publicKeyPem = this.publicKeyPem): boolean {
    const valid = publicKeyPem !== undefined && verifyCheckpointSignature(checkpoint, publicKeyPem);
    if (!valid) {
      this.failures.push({
        kind: 'checkpoint-signature',
        message: `checkpoint ${checkpoint.id}: the signature does not verify under the ${publicKeyPem === undefined ? 'missing' : 'given'} public key`,
      });
    }
    this.checkpoints.set(checkpoint.id, { checkpoint, valid });
    return valid;
  }

  /**
   * Starts a stream; `proof` pins it to a checkpoint. `head`, the stream's head as listed, must
   * match the chain at its version: heads are projected from the log, so events newer than the
   * head are fine, a head beyond the events (truncated) or off the chain is not.
   */
  beginStream(
    streamId: string,
    proof?: InclusionProof,
    head?: { version: number; hash: string | undefined },
  ): void {
    if (this.current) this.endStream();
    this.streams++;
    this.streamFailures = 0;
    this.current = {
      streamId,
      lastVersion: 0,
      lastHash: GENESIS_HASH,
      proof,
      hashAtProof: undefined,
      head,
      hashAtHead: undefined,
      broken: false,
    };
  }

  private fail(failure: Failure): void {
    if (this.current) {
      this.current.broken = true;
      if (++this.streamFailures > this.maxPerStream) return;
    }
    this.failures.push(failure);
  }

  /** An event found under another stream's heading in a file. */
  misplaced(event: ChainedEvent, underStream: string | undefined): void {
    this.events++;
    this.fail({
      streamId: event.streamId,
      version: event.version,
      kind: 'misplaced-event',
      message: `${event.streamId} v${event.version}: appears under ${underStream ?? 'no stream'} in the file`,
    });
  }

  /**
   * Checks one event against the chain so far. `recomputed` is the hash of its content when
   * the caller already hashed the exact bytes (export files); otherwise it is computed here.
   */
  event(event: ChainedEvent, recomputed?: string): void {
    const s = this.current;
    if (!s || s.streamId !== event.streamId) {
      this.beginStream(event.streamId);
      this.event(event);
      return;
    }
    this.events++;
    const at = { streamId: s.streamId, version: event.version };
    const expected = s.lastVersion + 1;
    if (event.version > expected) {
      this.fail({
        ...at,
        kind: 'missing-event',
        message: `${s.streamId}: version ${expected}${event.version - 1 > expected ? `–${event.version - 1}` : ''} is missing (next present is ${event.version})`,
      });
    } else if (event.version < expected) {
      this.fail({
        ...at,
        kind: 'unexpected-version',
        message: `${s.streamId}: version ${event.version} appears after version ${s.lastVersion} (reordered or inserted)`,
      });
    }
    if (event.hash === undefined || event.prevHash === undefined) {
      this.fail({
        ...at,
        kind: 'unhashed-event',
        message: `${s.streamId} v${event.version}: carries no hash`,
      });
    } else {
      const actual = recomputed ?? eventHash({ ...event, prevHash: event.prevHash });
      if (actual !== event.hash) {
        this.fail({
          ...at,
          kind: 'content-hash',
          message: `${s.streamId} v${event.version}: the content does not match its hash (edited)`,
        });
      } else if (event.prevHash !== s.lastHash && event.version === expected) {
        this.fail({
          ...at,
          kind: 'chain-break',
          message: `${s.streamId} v${event.version}: prevHash does not link to v${s.lastVersion} (an event before it was removed, inserted or changed)`,
        });
      }
    }
    if (s.proof && event.version === s.proof.version) s.hashAtProof = event.hash;
    if (s.head && event.version === s.head.version) s.hashAtHead = event.hash;
    // Carry on from what the file says, so one bad event is reported once, not at every later event.
    s.lastVersion = Math.max(s.lastVersion, event.version);
    s.lastHash = event.hash ?? s.lastHash;
  }

  /**
   * Ends the current stream: compares it with its head (given here, or to beginStream) and its
   * checkpoint proof, if any. A head given only here must be at the last event.
   */
  endStream(head?: { version: number; hash: string | undefined }): void {
    const s = this.current;
    if (!s) return;
    this.current = undefined;
    const expectedHead = head ?? s.head;
    const hashThere =
      s.head && expectedHead && s.head.version === expectedHead.version
        ? s.hashAtHead
        : expectedHead?.version === s.lastVersion
          ? s.lastHash
          : undefined;
    if (expectedHead && (expectedHead.version > s.lastVersion || expectedHead.hash !== hashThere)) {
      this.fail({
        streamId: s.streamId,
        version: expectedHead.version,
        kind: 'head-mismatch',
        message: `${s.streamId}: the head says version ${expectedHead.version}, the events end at ${s.lastVersion}${expectedHead.version === s.lastVersion ? ' with another hash' : ''}`,
      });
    }
    const proof = s.proof;
    if (!proof) return;
    const entry = this.checkpoints.get(proof.checkpointId);
    if (!entry) {
      this.fail({
        streamId: s.streamId,
        kind: 'bad-proof',
        message: `${s.streamId}: its proof names checkpoint ${proof.checkpointId}, which is not in the file`,
      });
      return;
    }
    const { checkpoint } = entry;
    const included = verifyInclusion(
      { streamId: proof.streamId, version: proof.version, hash: proof.hash },
      proof.leafIndex,
      checkpoint.treeSize,
      proof.path,
      checkpoint.rootHash,
    );
    if (!included || proof.streamId !== s.streamId) {
      this.fail({
        streamId: s.streamId,
        version: proof.version,
        kind: 'bad-proof',
        message: `${s.streamId}: the inclusion proof does not lead to the root of checkpoint ${checkpoint.id} (forged or wrong proof)`,
      });
      return;
    }
    if (s.lastVersion < proof.version) {
      this.fail({
        streamId: s.streamId,
        version: s.lastVersion + 1,
        kind: 'truncated',
        message: `${s.streamId}: ends at version ${s.lastVersion}, but checkpoint ${checkpoint.id} recorded version ${proof.version} (truncated)`,
      });
      return;
    }
    if (s.hashAtProof !== proof.hash) {
      this.fail({
        streamId: s.streamId,
        version: proof.version,
        kind: 'checkpoint-mismatch',
        message: `${s.streamId} v${proof.version}: differs from what checkpoint ${checkpoint.id} recorded (the stream was rewritten)`,
      });
      return;
    }
    if (entry.valid) this.anchored++;
  }

  /** A stream a checkpoint lists but the log does not have. */
  missingStream(streamId: string, checkpointId: string, version: number): void {
    this.failures.push({
      streamId,
      version,
      kind: 'missing-stream',
      message: `${streamId}: checkpoint ${checkpointId} recorded it at version ${version}, but the log has no such stream (deleted)`,
    });
  }

  /** The report so far. */
  report(): VerifyReport {
    if (this.current) this.endStream();
    return {
      streams: this.streams,
      events: this.events,
      checkpoints: this.checkpoints.size,
      anchored: this.anchored,
      failures: [...this.failures],
      ok: this.failures.length === 0,
    };
  }
}
