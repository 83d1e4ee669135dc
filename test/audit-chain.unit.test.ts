import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Checkpoint, type CheckpointBody, signedBytes } from '../events/audit/checkpoint.ts';
import { canonicalJson, chainHashes, eventHash, GENESIS_HASH, sha256Hex } from '../events/audit/hash.ts';
import {
  buildTree,
  type HeadLeaf,
  leafHex,
  merkleRoot,
  nodeHex,
  verifyInclusion,
} from '../events/audit/merkle.ts';

/** The tree's hex primitives as buffers, for the checks against SHA-256 computed here. */
const leafHash = (leaf: HeadLeaf): Buffer => Buffer.from(leafHex(leaf), 'hex');
const nodeHash = (left: Buffer, right: Buffer): Buffer =>
  Buffer.from(nodeHex(left.toString('hex'), right.toString('hex')), 'hex');

import {
  type ChainedEvent,
  type FailureKind,
  type InclusionProof,
  LogVerifier,
} from '../events/audit/verify.ts';
import { ASAHI_MEMBER, at, SECRETARIAT, T0 } from './support/fixtures.ts';

/** The value, which the test knows is there. */
function req<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

const keys = generateKeyPairSync('ed25519');
const PUBLIC_PEM = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const other = generateKeyPairSync('ed25519');

/** A stream of n events with a valid chain. */
function chain(streamId: string, n: number): ChainedEvent[] {
  const contents = Array.from({ length: n }, (_, i) => ({
    streamId,
    version: i + 1,
    type: i === 0 ? 'IncidentReported' : 'FollowUpAdded',
    data: { number: i, description: `step ${i} — 手順`, nested: { b: 2, a: [1, 'x'] } },
    recordedAt: at(T0, i * 60_000),
    actor: i % 2 ? SECRETARIAT : ASAHI_MEMBER,
    schemaVersion: 1,
  }));
  const links = chainHashes(GENESIS_HASH, contents);
  return contents.map((c, i) => ({ ...c, ...links[i] }));
}

/** Re-chains events from scratch: what a forger with write access to the table could do. */
function rechain(events: readonly ChainedEvent[]): ChainedEvent[] {
  const links = chainHashes(GENESIS_HASH, events);
  return events.map((e, i) => ({ ...e, ...links[i] }));
}

function signCheckpoint(leaves: HeadLeaf[], key = keys.privateKey, id = 'cp-1'): Checkpoint {
  const tree = buildTree(leaves);
  const body: CheckpointBody = {
    format: 'ceptoar-checkpoint/1',
    id,
    createdAt: T0,
    treeSize: tree.size,
    rootHash: tree.root,
    algorithm: 'Ed25519',
    keyId: 'test',
  };
  return { ...body, signature: sign(null, signedBytes(body), key).toString('base64') };
}

const STREAMS = ['incident#a', 'incident#b', 'incident#c', 'advisory#d', 'incident#e'];
const headOf = (events: ChainedEvent[]): HeadLeaf => {
  const last = req(events[events.length - 1]);
  return { streamId: last.streamId, version: last.version, hash: req(last.hash) };
};

/** Five streams, a signed checkpoint over their heads, and each stream's proof. */
function world() {
  const streams = new Map(STREAMS.map((id, i) => [id, chain(id, 4 + i)]));
  const leaves = [...streams.values()].map(headOf).sort((a, b) => a.streamId.localeCompare(b.streamId));
  const checkpoint = signCheckpoint(leaves);
  const tree = buildTree(leaves);
  const proofs = new Map<string, InclusionProof>(
    leaves.map((leaf, leafIndex) => [
      leaf.streamId,
      { checkpointId: checkpoint.id, ...leaf, leafIndex, path: tree.proof(leafIndex) },
    ]),
  );
  return { streams, checkpoint, proofs };
}

function verify(
  streams: Map<string, ChainedEvent[]>,
  checkpoint: Checkpoint,
  proofs: Map<string, InclusionProof>,
) {
  const verifier = new LogVerifier(PUBLIC_PEM);
  verifier.checkpoint(checkpoint);
  for (const [id, events] of streams) {
    verifier.beginStream(id, proofs.get(id));
    for (const e of events) verifier.event(e);
    verifier.endStream();
  }
  return verifier.report();
}

const kinds = (report: { failures: readonly { kind: FailureKind; streamId?: string; version?: number }[] }) =>
  report.failures.map((f) => [f.kind, f.streamId, f.version]);

describe('event hash', () => {
  it('is SHA-256 over the RFC 8785 canonical JSON of the content', () => {
    const content = {
      streamId: 's',
      version: 1,
      type: 'T',
      data: { b: 1, a: 'é' },
      recordedAt: T0,
      actor: { sub: 'x', kind: 'system' },
      schemaVersion: 1,
      prevHash: GENESIS_HASH,
    };
    const expected =
      '{"actor":{"kind":"system","sub":"x"},"data":{"a":"é","b":1},"prevHash":"' +
      GENESIS_HASH +
      `","recordedAt":"${T0}","schemaVersion":1,"streamId":"s","type":"T","version":1}`;
    expect(canonicalJson(content)).toBe(expected);
    expect(eventHash(content)).toBe(sha256Hex(expected));
  });

  it('does not depend on the order of keys', () => {
    const [a] = chain('s', 1);
    const reordered = JSON.parse(
      JSON.stringify({
        ...a,
        data: { nested: { a: [1, 'x'], b: 2 }, description: 'step 0 — 手順', number: 0 },
      }),
    );
    expect(eventHash({ ...reordered, prevHash: GENESIS_HASH })).toBe(req(a).hash);
  });
});

describe('Merkle tree (RFC 9162)', () => {
  const leaves = (n: number): HeadLeaf[] =>
    Array.from({ length: n }, (_, i) => ({ streamId: `s${i}`, version: i + 1, hash: sha256Hex(String(i)) }));

  it('hashes a leaf as SHA-256(0x00 || its canonical JSON) and a node as SHA-256(0x01 || left || right)', () => {
    const sha = (...parts: Buffer[]) => {
      const h = createHash('sha256');
      for (const p of parts) h.update(p);
      return h.digest();
    };
    for (const leaf of [
      ...leaves(3),
      { streamId: 'advisory#日本語-😀', version: 2 ** 40, hash: 'f'.repeat(64) },
    ]) {
      const data = Buffer.from(
        canonicalJson({ streamId: leaf.streamId, version: leaf.version, hash: leaf.hash }),
      );
      expect(leafHash(leaf).equals(sha(Buffer.from([0]), data))).toBe(true);
    }
    const [a, b] = [leafHash(req(leaves(2)[0])), leafHash(req(leaves(2)[1]))];
    expect(nodeHash(a, b).equals(sha(Buffer.from([1]), a, b))).toBe(true);
    expect(nodeHash(b, a).equals(sha(Buffer.from([1]), b, a))).toBe(true);
    expect(buildTree([]).root).toBe(sha().toString('hex'));
  });

  it('computes the root alone (merkleRoot) as the built tree has it, for every size up to 70 and for 1,025 leaves', () => {
    for (const n of [...Array.from({ length: 71 }, (_, i) => i), 1025]) {
      const ls = leaves(n);
      expect(merkleRoot(ls), String(n)).toEqual({ size: n, root: buildTree(ls).root });
      // From any iterable, once through.
      expect(merkleRoot(ls.values()).root).toBe(buildTree(ls).root);
    }
  });

  it('matches the recursive definition of §2.1.1 for every size up to 33', () => {
    const mth = (ls: HeadLeaf[]): Buffer => {
      if (ls.length === 1) return leafHash(req(ls[0]));
      let k = 1;
      while (k * 2 < ls.length) k *= 2;
      return nodeHash(mth(ls.slice(0, k)), mth(ls.slice(k)));
    };
    for (let n = 1; n <= 33; n++) expect(buildTree(leaves(n)).root).toBe(mth(leaves(n)).toString('hex'));
  });

  it('proves every leaf of every size up to 33', () => {
    for (let n = 1; n <= 33; n++) {
      const ls = leaves(n);
      const tree = buildTree(ls);
      ls.forEach((leaf, i) => {
        expect(verifyInclusion(leaf, i, n, tree.proof(i), tree.root)).toBe(true);
      });
    }
  });

  it('separates leaves from nodes: an inner node does not pass as a leaf', () => {
    const ls = leaves(4);
    expect(leafHash(req(ls[0])).equals(nodeHash(leafHash(req(ls[0])), leafHash(req(ls[1]))))).toBe(false);
  });

  it('rejects a wrong sibling, a wrong leaf index, a wrong shape, a wrong leaf and a padded path', () => {
    const ls = leaves(11);
    const tree = buildTree(ls);
    const path = tree.proof(5);
    const flipped = [...path];
    flipped[1] = sha256Hex('forged');
    expect(verifyInclusion(req(ls[5]), 5, 11, flipped, tree.root)).toBe(false);
    expect(verifyInclusion(req(ls[5]), 4, 11, path, tree.root)).toBe(false);
    // A size whose tree has another shape (the size itself is signed in the checkpoint).
    expect(verifyInclusion(req(ls[5]), 5, 17, path, tree.root)).toBe(false);
    expect(verifyInclusion({ ...req(ls[5]), version: 7 }, 5, 11, path, tree.root)).toBe(false);
    expect(verifyInclusion(req(ls[5]), 5, 11, [...path, sha256Hex('x')], tree.root)).toBe(false);
    expect(verifyInclusion(req(ls[5]), 5, 11, path.slice(1), tree.root)).toBe(false);
    expect(verifyInclusion(req(ls[5]), 11, 11, path, tree.root)).toBe(false);
  });
});

describe('LogVerifier', () => {
  it('passes an untouched log and anchors every stream in the checkpoint', () => {
    const { streams, checkpoint, proofs } = world();
    const report = verify(streams, checkpoint, proofs);
    expect(report.failures).toEqual([]);
    expect(report).toMatchObject({ ok: true, streams: 5, anchored: 5, events: 4 + 5 + 6 + 7 + 8 });
  });

  it('names the stream and version of an edited byte', () => {
    const { streams, checkpoint, proofs } = world();
    const events = req(streams.get('incident#b'));
    events[2] = {
      ...req(events[2]),
      data: { ...(req(events[2]).data as object), description: 'step 2 — 手順!' },
    };
    expect(kinds(verify(streams, checkpoint, proofs))).toEqual([['content-hash', 'incident#b', 3]]);
  });

  it('names an edited recordedAt or actor as well as data', () => {
    const { streams, checkpoint, proofs } = world();
    const events = req(streams.get('incident#a'));
    events[0] = { ...req(events[0]), recordedAt: at(T0, 1) };
    events[1] = { ...req(events[1]), actor: ASAHI_MEMBER };
    expect(kinds(verify(streams, checkpoint, proofs))).toEqual([
      ['content-hash', 'incident#a', 1],
      ['content-hash', 'incident#a', 2],
    ]);
  });

  it('names a deleted event', () => {
    const { streams, checkpoint, proofs } = world();
    req(streams.get('incident#c')).splice(2, 1);
    expect(kinds(verify(streams, checkpoint, proofs))).toEqual([['missing-event', 'incident#c', 4]]);
  });

  it('names an inserted event', () => {
    const { streams, checkpoint, proofs } = world();
    const events = req(streams.get('incident#c'));
    const forged = { ...req(events[1]), type: 'RelayApproved', data: { ministryDueAt: T0 } };
    events.splice(2, 0, { ...forged, hash: eventHash({ ...forged, prevHash: req(forged.prevHash) }) });
    const report = verify(streams, checkpoint, proofs);
    expect(kinds(report)[0]).toEqual(['unexpected-version', 'incident#c', 2]);
    expect(report.ok).toBe(false);
  });

  it('names reordered events', () => {
    const { streams, checkpoint, proofs } = world();
    const events = req(streams.get('advisory#d'));
    [events[3], events[4]] = [req(events[4]), req(events[3])];
    expect(kinds(verify(streams, checkpoint, proofs))[0]).toEqual(['missing-event', 'advisory#d', 5]);
  });

  it('names swapped contents with renumbered versions as a content change', () => {
    const { streams, checkpoint, proofs } = world();
    const events = req(streams.get('advisory#d'));
    const [x, y] = [req(events[3]), req(events[4])];
    events[3] = { ...y, version: 4 };
    events[4] = { ...x, version: 5 };
    expect(kinds(verify(streams, checkpoint, proofs))[0]).toEqual(['content-hash', 'advisory#d', 4]);
  });

  it('names a truncated stream against the checkpoint', () => {
    const { streams, checkpoint, proofs } = world();
    req(streams.get('incident#e')).splice(6);
    expect(kinds(verify(streams, checkpoint, proofs))).toEqual([['truncated', 'incident#e', 7]]);
  });

  it('names a stream rewritten with a consistent new chain against the checkpoint', () => {
    const { streams, checkpoint, proofs } = world();
    const events = req(streams.get('incident#b'));
    events[1] = { ...req(events[1]), data: { number: 1, description: 'nothing happened' } };
    streams.set('incident#b', rechain(events));
    expect(kinds(verify(streams, checkpoint, proofs))).toEqual([['checkpoint-mismatch', 'incident#b', 5]]);
  });

  it('names a stream the checkpoint lists but the log lacks', () => {
    const verifier = new LogVerifier(PUBLIC_PEM);
    verifier.missingStream('incident#gone', 'cp-1', 3);
    expect(kinds(verifier.report())).toEqual([['missing-stream', 'incident#gone', 3]]);
  });

  it('rejects a checkpoint signed by another key', () => {
    const { streams, proofs } = world();
    const leaves = [...streams.values()].map(headOf).sort((a, b) => a.streamId.localeCompare(b.streamId));
    const forged = signCheckpoint(leaves, other.privateKey);
    const report = verify(streams, forged, proofs);
    expect(kinds(report)).toEqual([['checkpoint-signature', undefined, undefined]]);
    expect(report.anchored).toBe(0);
  });

  it('rejects a checkpoint whose root was changed after signing', () => {
    const { streams, checkpoint, proofs } = world();
    const report = verify(streams, { ...checkpoint, rootHash: sha256Hex('other root') }, proofs);
    expect(kinds(report)[0]).toEqual(['checkpoint-signature', undefined, undefined]);
    expect(report.ok).toBe(false);
  });

  it('rejects a forged proof: wrong sibling, wrong leaf index, another stream’s proof', () => {
    const { streams, checkpoint, proofs } = world();
    const a = req(proofs.get('incident#a'));
    const path = [...a.path];
    path[0] = sha256Hex('sibling');
    proofs.set('incident#a', { ...a, path });
    const c = req(proofs.get('incident#c'));
    proofs.set('incident#c', { ...c, leafIndex: c.leafIndex + 1 });
    proofs.set('incident#e', { ...req(proofs.get('incident#b')) });
    expect(kinds(verify(streams, checkpoint, proofs))).toEqual([
      ['bad-proof', 'incident#a', 4],
      ['bad-proof', 'incident#c', 6],
      ['bad-proof', 'incident#e', 5],
    ]);
  });

  it('rejects a rewritten stream whose forger also forged a proof for the new head', () => {
    const { streams, checkpoint, proofs } = world();
    const events = rechain(req(streams.get('incident#b')).map((e) => ({ ...e, data: { forged: true } })));
    streams.set('incident#b', events);
    const p = req(proofs.get('incident#b'));
    proofs.set('incident#b', { ...p, hash: headOf(events).hash });
    expect(kinds(verify(streams, checkpoint, proofs))).toEqual([['bad-proof', 'incident#b', 5]]);
  });
});
