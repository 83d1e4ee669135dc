import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyInclusion } from '../events/audit/merkle.ts';
import {
  type CheckpointArchive,
  checkpointReader,
  inclusionProofs,
  leavesNdjson,
  localArchive,
  localSigner,
  publishCheckpoint,
} from '../functions/audit/audit-checkpoints.ts';

const dir = mkdtempSync(join(tmpdir(), 'checkpoint-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const heads = (n: number, version: number) =>
  Array.from({ length: n }, (_, i) => ({
    streamId: `incident#${String(i).padStart(4, '0')}`,
    version,
    hash: `${version}`.padStart(64, '0'),
  }));

/** The local archive, counting its reads of a checkpoint's leaves. */
function counted(archive: CheckpointArchive): { archive: CheckpointArchive; gets: string[] } {
  const gets: string[] = [];
  return {
    gets,
    archive: {
      put: (checkpoint, leaves) => archive.put(checkpoint, leaves),
      list: () => archive.list(),
      get: (id) => {
        gets.push(id);
        return archive.get(id);
      },
    },
  };
}

describe('checkpointReader', () => {
  const signer = localSigner(dir);
  const { archive, gets } = counted(localArchive(dir));

  it('reads a checkpoint once for page after page, builds its tree once, and proves as a fresh build does', async () => {
    const first = await publishCheckpoint({
      heads: heads(37, 1),
      signer,
      archive,
      now: '2026-12-05T01:00:00.000Z',
    });
    const reader = checkpointReader(archive);
    const pages = [];
    for (let start = 0; start < 37; start += 10) {
      const found = await reader.get(first.id);
      if (!found) throw new Error('checkpoint not found');
      const page = new Set(found.leaves.slice(start, start + 10).map((l) => l.streamId));
      pages.push(inclusionProofs(found.checkpoint, found.leaves, page, found.tree()));
      expect(found.tree()).toBe((await reader.get(first.id))?.tree());
    }
    expect(gets).toEqual([first.id]);
    const whole = inclusionProofs(first, (await archive.get(first.id))?.leaves ?? []);
    const paged = new Map(pages.flatMap((p) => [...p]));
    expect(paged).toEqual(whole);
    for (const proof of paged.values()) {
      expect(verifyInclusion(proof, proof.leafIndex, first.treeSize, proof.path, first.rootHash)).toBe(true);
    }
  });

  it('answers latest with a checkpoint published after the one it holds, and null for an unknown id', async () => {
    const reader = checkpointReader(archive);
    const before = await reader.latest();
    const second = await publishCheckpoint({
      heads: heads(5, 2),
      signer,
      archive,
      now: '2026-12-05T02:00:00.000Z',
    });
    expect(before?.checkpoint.id).not.toBe(second.id);
    const after = await reader.latest();
    expect(after?.checkpoint).toEqual(second);
    expect(after?.leaves).toHaveLength(5);
    expect(after?.tree().root).toBe(second.rootHash);
    expect(await reader.get('2000-01-01T00-00-00-000Z')).toBeNull();
  });

  it('refuses a tree that does not hash to the signed root', async () => {
    const reader = checkpointReader(archive);
    const found = await reader.latest();
    if (!found) throw new Error('no checkpoint');
    const other = (await reader.get(gets[0] ?? ''))?.tree();
    expect(() => inclusionProofs(found.checkpoint, found.leaves, undefined, other)).toThrow(
      /do not hash to its root/,
    );
  });
});

describe("a checkpoint's leaves object", () => {
  const joined = (leaves: { streamId: string; version: number; hash: string }[]) =>
    Buffer.from(leaves.map((l) => `${JSON.stringify(l)}\n`).join(''), 'utf8');

  it('is the lines joined, byte for byte: none, short, multi-byte, and longer lines after the first thousand', () => {
    const hash = 'a'.repeat(64);
    expect(leavesNdjson([]).length).toBe(0);
    const short = Array.from({ length: 1500 }, (_, i) => ({ streamId: `s#${i}`, version: i, hash }));
    // Lines from 1,000 on far longer than the sample the buffer is sized from: it must grow, keeping what it had.
    const growing = short.map((l, i) =>
      i < 1000 ? l : { ...l, streamId: `advisory#${'x'.repeat(400)}-${i}` },
    );
    const multibyte = [
      { streamId: 'organization#化学セプター', version: 1, hash },
      { streamId: 'advisory#日本語-😀', version: 2 ** 40, hash },
      { streamId: 'q#"\\\u0001', version: 3, hash },
    ];
    for (const leaves of [short, growing, multibyte, [...multibyte, ...growing]])
      expect(leavesNdjson(leaves).equals(joined(leaves))).toBe(true);
  });
});
