import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Checkpoint,
  type CheckpointAlgorithm,
  type CheckpointBody,
  checkpointId,
  signedBytes,
} from '../../events/audit/checkpoint.ts';
import { buildTree, type HeadLeaf, type MerkleTree, merkleRoot } from '../../events/audit/merkle.ts';
import type { InclusionProof } from '../../events/audit/verify.ts';

/** Signs checkpoints: a local Ed25519 key, or a KMS asymmetric key in AWS. */
export interface CheckpointSigner {
  readonly algorithm: CheckpointAlgorithm;
  readonly keyId: string;
  /** The PEM (SPKI) public key auditors verify with. */
  publicKeyPem(): Promise<string>;
  sign(data: Buffer): Promise<Buffer>;
}

/** Where checkpoints are kept, write-once: an append-only folder, or S3 with Object Lock. */
export interface CheckpointArchive {
  /** Writes a checkpoint and its leaves; never overwrites. */
  put(checkpoint: Checkpoint, leaves: readonly HeadLeaf[]): Promise<void>;
  /** Checkpoint ids, oldest first. */
  list(): Promise<string[]>;
  get(id: string): Promise<{ checkpoint: Checkpoint; leaves: HeadLeaf[] } | null>;
}

/** The latest checkpoint in an archive, with its leaves (and its tree, built when asked for). */
export const latestCheckpoint = (archive: CheckpointArchive): Promise<LoadedCheckpoint | null> =>
  checkpointReader(archive).latest();

/** Builds, signs and archives a checkpoint over the given heads (sorted by stream id here). */
export async function publishCheckpoint(options: {
  heads: readonly HeadLeaf[];
  signer: CheckpointSigner;
  archive: CheckpointArchive;
  now: string;
}): Promise<Checkpoint> {
  const leaves = options.heads
    .map((h) => ({ streamId: h.streamId, version: h.version, hash: h.hash }))
    .sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
  // The root alone: the tree's levels are built again by whoever reads a proof (checkpointReader).
  const tree = merkleRoot(leaves);
  const body: CheckpointBody = {
    format: 'ceptoar-checkpoint/1',
    id: checkpointId(options.now),
    createdAt: options.now,
    treeSize: tree.size,
    rootHash: tree.root,
    algorithm: options.signer.algorithm,
    keyId: options.signer.keyId,
  };
  const signature = await options.signer.sign(signedBytes(body));
  const checkpoint: Checkpoint = { ...body, signature: signature.toString('base64') };
  await options.archive.put(checkpoint, leaves);
  return checkpoint;
}

/** A checkpoint with its leaves, and its Merkle tree, built on first need and then kept. */
export interface LoadedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly leaves: HeadLeaf[];
  tree(): MerkleTree;
}

/** The checkpoints of an archive as a reader asks for them: by id, or the newest. */
export interface CheckpointReader {
  get(id: string): Promise<LoadedCheckpoint | null>;
  latest(): Promise<LoadedCheckpoint | null>;
}

/**
 * Reads an archive's checkpoints through a one-entry cache. A checkpoint is write-once, so a warm
 * container asked again for the same one (an auditor reading its leaves a page at a time, the console
 * asking for one stream's proof after another) reads its leaves and builds its tree once, not once a
 * request: for a million leaves that is some 150 MB read from the archive and a second or two of hashing.
 * `latest` lists the archive every time, so a newer checkpoint is seen at once. One entry only: a
 * checkpoint of a million leaves, with its tree, holds a few hundred MB.
 */
export function checkpointReader(archive: CheckpointArchive): CheckpointReader {
  let last: LoadedCheckpoint | undefined;
  const get = async (id: string): Promise<LoadedCheckpoint | null> => {
    if (last !== undefined && last.checkpoint.id === id) return last;
    const found = await archive.get(id);
    if (!found) return null;
    let tree: MerkleTree | undefined;
    last = { ...found, tree: () => (tree ??= buildTree(found.leaves)) };
    return last;
  };
  return {
    get,
    async latest() {
      const ids = await archive.list();
      const id = ids[ids.length - 1];
      return id === undefined ? null : get(id);
    },
  };
}

/**
 * Inclusion proofs of the given streams (all when omitted) in a checkpoint built from `leaves`; `tree`
 * when the caller has it already (it is checked against the signed root all the same).
 */
export function inclusionProofs(
  checkpoint: Checkpoint,
  leaves: readonly HeadLeaf[],
  streamIds?: ReadonlySet<string>,
  tree: MerkleTree = buildTree(leaves),
): Map<string, InclusionProof> {
  if (tree.root !== checkpoint.rootHash || tree.size !== checkpoint.treeSize) {
    throw new Error(`the leaves of checkpoint ${checkpoint.id} do not hash to its root`);
  }
  const proofs = new Map<string, InclusionProof>();
  leaves.forEach((leaf, leafIndex) => {
    if (streamIds && !streamIds.has(leaf.streamId)) return;
    proofs.set(leaf.streamId, {
      checkpointId: checkpoint.id,
      streamId: leaf.streamId,
      version: leaf.version,
      hash: leaf.hash,
      leafIndex,
      path: tree.proof(leafIndex),
    });
  });
  return proofs;
}

/** The local signer: an Ed25519 key made once in the data folder (private key mode 0600). */
export function localSigner(dataDir: string): CheckpointSigner {
  const keyFile = join(dataDir, 'checkpoint-key.pem');
  const pubFile = join(dataDir, 'checkpoint-key.pub.pem');
  if (!existsSync(keyFile)) {
    mkdirSync(dataDir, { recursive: true });
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  const privateKey = createPrivateKey(readFileSync(keyFile, 'utf8'));
  const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  if (!existsSync(pubFile)) writeFileSync(pubFile, publicPem);
  return {
    algorithm: 'Ed25519',
    keyId: `ed25519:${createHash('sha256').update(publicPem).digest('hex').slice(0, 16)}`,
    publicKeyPem: async () => publicPem,
    sign: async (data) => sign(null, data, privateKey),
  };
}

/**
 * A checkpoint's leaves object: one line of JSON per leaf, in order (the same bytes as joining
 * `JSON.stringify(leaf) + '\n'`), written into one buffer as the lines are made, so that neither an array
 * of a line per leaf nor one string of them all (158 MiB at a million leaves) is held beside it.
 */
export function leavesNdjson(leaves: readonly HeadLeaf[]): Buffer {
  // Sized from the first lines; grown (doubled) should later ones be longer.
  const sample = leaves.slice(0, 1000);
  const average =
    sample.reduce((sum, leaf) => sum + JSON.stringify(leaf).length + 1, 0) / (sample.length || 1);
  let buffer = Buffer.allocUnsafe(Math.ceil(average * leaves.length * 1.05) + 4096);
  let length = 0;
  for (const leaf of leaves) {
    const line = `${JSON.stringify(leaf)}\n`;
    // A UTF-16 code unit is at most three bytes of UTF-8: room for the worst case, or a bigger buffer.
    if (length + line.length * 3 > buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(buffer.length * 2, length + line.length * 3));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    length += buffer.write(line, length);
  }
  return buffer.subarray(0, length);
}

/**
 * The local archive: `<dataDir>/checkpoints/<id>.json` and `<id>.leaves.ndjson`, created
 * exclusively (an existing file is never replaced) and made read-only.
 */
export function localArchive(dataDir: string): CheckpointArchive {
  const dir = join(dataDir, 'checkpoints');
  const writeOnce = (file: string, text: string | Buffer) => {
    writeFileSync(file, text, { flag: 'wx', mode: 0o444 });
    chmodSync(file, 0o444);
  };
  return {
    async put(checkpoint, leaves) {
      mkdirSync(dir, { recursive: true });
      // Leaves first: a checkpoint file never exists without the leaves its proofs need.
      writeOnce(join(dir, `${checkpoint.id}.leaves.ndjson`), leavesNdjson(leaves));
      writeOnce(join(dir, `${checkpoint.id}.json`), `${JSON.stringify(checkpoint, null, 2)}\n`);
    },
    async list() {
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -'.json'.length))
        .sort();
    },
    async get(id) {
      const file = join(dir, `${id}.json`);
      if (!/^[\w-]+$/.test(id) || !existsSync(file)) return null;
      const checkpoint = JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
      const leaves = readFileSync(join(dir, `${id}.leaves.ndjson`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as HeadLeaf);
      return { checkpoint, leaves };
    },
  };
}
