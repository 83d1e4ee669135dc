import { hash } from 'node:crypto';
import { leafJson } from './canonical.ts';

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

/**
 * The leaf hash of a head, hex: SHA-256(0x00 || canonical JSON of {streamId, version, hash}).
 * A checkpoint of a million heads hashes two million times, so the tree is built on hex strings
 * with one-shot `hash` (which gives hex about twice as fast as a Buffer on Node 20, and a
 * `createHash` object per node slower still): a million leaves took 13.0 s to build with Buffers
 * and `createHash`, 3.9 s so (one run each on this project's 2-core machine).
 */
export function leafHex(leaf: HeadLeaf): string {
  // U+0000 is the one byte 0x00 in UTF-8.
  return hash('sha256', `\u0000${leafJson(leaf)}`);
}

/** 0x01 and room for two hashes: the input of every inner node, filled in place (hashing is synchronous). */
const nodeInput = Buffer.alloc(65, 0x01);

/** SHA-256(0x01 || left || right), hex in and out. */
export function nodeHex(left: string, right: string): string {
  nodeInput.write(left, 1, 32, 'hex');
  nodeInput.write(right, 33, 32, 'hex');
  return hash('sha256', nodeInput);
}

/** The levels of the tree, leaves first; an odd last node is carried up unchanged (same root as §2.1.1). */
function levels(leaves: string[]): string[][] {
  let level = leaves;
  const all: string[][] = [level];
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i + 1 < level.length; i += 2)
      next.push(nodeHex(level[i] as string, level[i + 1] as string));
    const odd = level.length % 2 === 1 ? level[level.length - 1] : undefined;
    if (odd !== undefined) next.push(odd);
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
  const tree = levels(leaves.map(leafHex));
  const root = tree[tree.length - 1]?.[0] ?? hash('sha256', '');
  return {
    size: leaves.length,
    root,
    proof(index: number): string[] {
      if (!Number.isInteger(index) || index < 0 || index >= leaves.length)
        throw new RangeError(`leaf ${index} is not in a tree of ${leaves.length}`);
      const path: string[] = [];
      let i = index;
      for (const level of tree.slice(0, -1)) {
        const sibling = level[i ^ 1];
        // The last node of an odd level has no sibling: it rises unchanged and adds nothing to the path.
        if (sibling !== undefined) path.push(sibling);
        i >>= 1;
      }
      return path;
    },
  };
}

/**
 * The root alone of the tree over `leaves` (the same as {@link buildTree}'s), keeping only the perfect
 * subtrees not yet paired (one per bit of the count so far: some 20 hashes at a million leaves) where
 * buildTree keeps every level for proofs (two million hashes). Publishing a checkpoint needs only this.
 */
export function merkleRoot(leaves: Iterable<HeadLeaf>): { size: number; root: string } {
  const hashes: string[] = [];
  const sizes: number[] = [];
  let size = 0;
  for (const leaf of leaves) {
    let h = leafHex(leaf);
    let n = 1;
    // Two perfect subtrees of one size side by side make the next size up.
    while (sizes.length > 0 && sizes[sizes.length - 1] === n) {
      h = nodeHex(hashes.pop() as string, h);
      sizes.pop();
      n *= 2;
    }
    hashes.push(h);
    sizes.push(n);
    size++;
  }
  if (hashes.length === 0) return { size: 0, root: hash('sha256', '') };
  // The subtrees are in decreasing size, left to right; RFC 9162 §2.1.1 splits at the largest power of two
  // below the size, which is the first of them: fold from the right.
  let root = hashes[hashes.length - 1] as string;
  for (let i = hashes.length - 2; i >= 0; i--) root = nodeHex(hashes[i] as string, root);
  return { size, root };
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
  let r = leafHex(leaf);
  for (const p of path) {
    if (!/^[0-9a-f]{64}$/.test(p)) return false;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHex(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = nodeHex(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r === root;
}
