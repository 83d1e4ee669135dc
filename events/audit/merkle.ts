import { createHash } from 'node:crypto';
import { canonicalJson, leafContent } from './canonical.ts';

/**
 * A Merkle tree over stream heads, hashed as in RFC 9162 §2.1: a leaf is
 * SHA-256(0x00 || data), an inner node SHA-256(0x01 || left || right), so a leaf can
 * never pass for a node. Audit paths and their verification follow §2.1.3.
 */

/** One leaf: a stream's head when the checkpoint was taken. */
export interface HeadLeaf {
  readonly streamId: string;
  readonly version: number;
  readonly hash: string;
}

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

/** The leaf hash of a head: SHA-256(0x00 || canonical JSON of {streamId, version, hash}). */
export function leafHash(leaf: HeadLeaf): Buffer {
  const data = Buffer.from(canonicalJson(leafContent(leaf)), 'utf8');
  return createHash('sha256').update(LEAF).update(data).digest();
}

/** SHA-256(0x01 || left || right). */
export const nodeHash = (left: Buffer, right: Buffer): Buffer =>
  createHash('sha256').update(NODE).update(left).update(right).digest();

/** The levels of the tree, leaves first; an odd last node is carried up unchanged (same root as §2.1.1). */
function levels(leaves: readonly Buffer[]): Buffer[][] {
  let level = leaves.slice();
  const all: Buffer[][] = [level];
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2)
      next.push(nodeHash(level[i] as Buffer, level[i + 1] as Buffer));
    const odd = level.length % 2 === 1 ? level[level.length - 1] : undefined;
    if (odd) next.push(odd);
    all.push(next);
    level = next;
  }
  return all;
}

/** A built tree: its root and the audit path of any leaf. */
export interface MerkleTree {
  readonly size: number;
  /** Hex root; the hash of the empty string for an empty tree (§2.1.1). */
  readonly root: string;
  /** The audit path of leaf `index`, bottom up, hex. */
  proof(index: number): string[];
}

/** Builds the tree over leaves in the given order (checkpoints sort them by stream id). */
export function buildTree(leaves: readonly HeadLeaf[]): MerkleTree {
  const tree = levels(leaves.map(leafHash));
  const root = tree[tree.length - 1]?.[0] ?? createHash('sha256').digest();
  return {
    size: leaves.length,
    root: root.toString('hex'),
    proof(index: number): string[] {
      if (!Number.isInteger(index) || index < 0 || index >= leaves.length)
        throw new RangeError(`leaf ${index} is not in a tree of ${leaves.length}`);
      const path: string[] = [];
      let i = index;
      for (const level of tree.slice(0, -1)) {
        const sibling = level[i ^ 1];
        // The last node of an odd level has no sibling: it rises unchanged and adds nothing to the path.
        if (sibling !== undefined) path.push(sibling.toString('hex'));
        i >>= 1;
      }
      return path;
    },
  };
}

/** Verifies an audit path (RFC 9162 §2.1.3.2): true only when the leaf at `index` is in the tree of `size` with `root`. */
export function verifyInclusion(
  leaf: HeadLeaf,
  index: number,
  size: number,
  path: readonly string[],
  root: string,
): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash(leaf);
  for (const hex of path) {
    if (!/^[0-9a-f]{64}$/.test(hex)) return false;
    const p = Buffer.from(hex, 'hex');
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.toString('hex') === root;
}
