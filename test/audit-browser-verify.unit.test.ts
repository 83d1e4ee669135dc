import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Checkpoint, type CheckpointBody, signedBytes } from '../events/audit/checkpoint.ts';
import { chainHashes, GENESIS_HASH } from '../events/audit/hash.ts';
import { buildTree, type HeadLeaf } from '../events/audit/merkle.ts';
import { type ChainedEvent, LogVerifier } from '../events/audit/verify.ts';
import { inclusionProofs } from '../functions/audit/audit-checkpoints.ts';
import {
  type AuditEvent,
  type CheckpointEvidence,
  derToP1363,
  verifyStreamInBrowser,
} from '../web/src/audit-verify.ts';
import { ASAHI_MEMBER, at, MINISTRY, NISC, RANSOMWARE_REPORT, SECRETARIAT, T0 } from './support/fixtures.ts';

// The console's in-browser verifier (WebCrypto) and the CLI's LogVerifier (node:crypto) on the same
// streams, intact and tampered each way a writer to the table could: they must agree on every
// failure's kind and version, and on whether the stream is anchored to the checkpoint.

const ED = generateKeyPairSync('ed25519');
const EC = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const OTHER = generateKeyPairSync('ed25519');
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

const STREAM = 'incident#6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
const NEIGHBOURS = ['advisory#a1', 'incident#00', 'incident#ff', 'organization#asahi-petrochem'];

/** A relayed incident's stream (Japanese text, nested data), hashed as the store hashes it. */
function stream(): AuditEvent[] {
  const contents = [
    { type: 'IncidentReported', data: { report: RANSOMWARE_REPORT, secretariatDueAt: at(T0, 3_600_000) } },
    { type: 'RelayApproved', data: { note: '確認しました', ministryDueAt: at(T0, 7_200_000) } },
    { type: 'ReceiptAcknowledged', data: { hop: 'ministry', note: null, niscDueAt: at(T0, 9_000_000) } },
    { type: 'ReceiptAcknowledged', data: { hop: 'nisc', note: '受領 ✓ 😀' } },
  ].map((c, i) => ({
    streamId: STREAM,
    version: i + 1,
    ...c,
    recordedAt: at(T0, i * 600_000),
    actor: [ASAHI_MEMBER, SECRETARIAT, MINISTRY, NISC][i],
    schemaVersion: 1,
  }));
  const links = chainHashes(GENESIS_HASH, contents);
  return contents.map((c, i) => ({
    ...c,
    prevHash: links[i]?.prevHash ?? null,
    hash: links[i]?.hash ?? null,
  }));
}

const rechain = (events: readonly AuditEvent[]): AuditEvent[] => {
  const links = chainHashes(GENESIS_HASH, events);
  return events.map((e, i) => ({ ...e, prevHash: links[i]?.prevHash ?? null, hash: links[i]?.hash ?? null }));
};

/** An event re-hashed onto the genesis hash, as if it were a stream's first. */
const relinked = (e: AuditEvent): AuditEvent => ({ ...e, ...chainHashes(GENESIS_HASH, [e])[0] });

/** A checkpoint over the stream's head among its neighbours, signed with Ed25519 or ECDSA P-256 (DER, as KMS). */
function evidenceFor(
  events: readonly AuditEvent[],
  options: { algorithm?: 'Ed25519' | 'ECDSA_SHA_256'; key?: KeyObject; publicKey?: string } = {},
): { checkpoint: Checkpoint; evidence: CheckpointEvidence } {
  const head = events[events.length - 1];
  const leaves: HeadLeaf[] = [
    ...NEIGHBOURS.map((streamId, i) => ({ streamId, version: i + 1, hash: String(i).repeat(64) })),
    { streamId: STREAM, version: head?.version ?? 0, hash: head?.hash ?? '' },
  ].sort((a, b) => (a.streamId < b.streamId ? -1 : 1));
  const tree = buildTree(leaves);
  const algorithm = options.algorithm ?? 'Ed25519';
  const body: CheckpointBody = {
    format: 'ceptoar-checkpoint/1',
    id: '2026-11-26T02-00-00-000Z',
    createdAt: '2026-11-26T02:00:00.000Z',
    treeSize: tree.size,
    rootHash: tree.root,
    algorithm,
    keyId: algorithm === 'Ed25519' ? 'ed25519:test' : 'arn:aws:kms:ap-northeast-1:111122223333:key/test',
  };
  const key = options.key ?? (algorithm === 'Ed25519' ? ED.privateKey : EC.privateKey);
  const signature = sign(algorithm === 'Ed25519' ? null : 'sha256', signedBytes(body), key).toString(
    'base64',
  );
  const checkpoint: Checkpoint = { ...body, signature };
  const proof = inclusionProofs(checkpoint, leaves, new Set([STREAM])).get(STREAM);
  if (!proof) throw new Error('no proof');
  const publicKey = options.publicKey ?? pem(algorithm === 'Ed25519' ? ED.publicKey : EC.publicKey);
  return { checkpoint, evidence: { checkpoint, publicKey, proof } };
}

/** Both verifiers on the same stream and evidence: failures as `kind@version`, and anchored. */
async function both(events: readonly AuditEvent[], evidence?: CheckpointEvidence) {
  const cli = new LogVerifier(evidence?.publicKey);
  if (evidence) cli.checkpoint(evidence.checkpoint);
  cli.beginStream(STREAM, evidence?.proof);
  for (const e of events)
    cli.event({ ...e, prevHash: e.prevHash ?? undefined, hash: e.hash ?? undefined } as ChainedEvent);
  const report = cli.report();
  const browser = await verifyStreamInBrowser(STREAM, events, evidence);
  const show = (f: { kind: string; version?: number | undefined }) => `${f.kind}@${f.version ?? '-'}`;
  return {
    cli: { failures: report.failures.map(show), anchored: report.anchored === 1, ok: report.ok },
    browser: {
      failures: browser.failures.map(show),
      anchored: browser.checkpoint?.anchored ?? false,
      ok: browser.ok,
    },
    result: browser,
  };
}

describe('the in-browser verifier agrees with the CLI', () => {
  it('passes an intact stream anchored by an Ed25519 checkpoint', async () => {
    const events = stream();
    const { cli, browser, result } = await both(events, evidenceFor(events).evidence);
    expect(browser).toEqual(cli);
    expect(browser).toEqual({ failures: [], anchored: true, ok: true });
    expect(result).toMatchObject({
      events: 4,
      lastVersion: 4,
      checkpoint: { version: 4, signatureValid: true },
    });
  });

  it('passes an intact stream anchored by an ECDSA P-256 checkpoint with a DER signature, as KMS signs', async () => {
    const events = stream();
    const { cli, browser } = await both(events, evidenceFor(events, { algorithm: 'ECDSA_SHA_256' }).evidence);
    expect(browser).toEqual(cli);
    expect(browser.anchored).toBe(true);
  });

  it('passes a stream that grew after its checkpoint: the checkpoint pins the version it recorded', async () => {
    const events = stream();
    const { evidence } = evidenceFor(events.slice(0, 2));
    const { cli, browser, result } = await both(events, evidence);
    expect(browser).toEqual(cli);
    expect(browser.ok).toBe(true);
    expect(result.checkpoint?.version).toBe(2);
  });

  it('names the version of an edited event (content hash), without a checkpoint and with one', async () => {
    const events = stream();
    const { evidence } = evidenceFor(events);
    const tampered = events.map((e) =>
      e.version === 2 ? { ...e, data: { ...(e.data as object), note: '確認しませんでした' } } : e,
    );
    for (const ev of [undefined, evidence]) {
      const { cli, browser } = await both(tampered, ev);
      expect(browser).toEqual(cli);
      expect(browser.failures[0]).toBe('content-hash@2');
      expect(browser.ok).toBe(false);
    }
  });

  it('names a removed, a reordered, an unhashed event and a broken link as the CLI does', async () => {
    const events = stream();
    const cases: [string, AuditEvent[], string][] = [
      ['removed', events.filter((e) => e.version !== 2), 'missing-event@3'],
      ['reordered', [events[0], events[2], events[1], events[3]] as AuditEvent[], 'missing-event@3'],
      ['unhashed', events.map((e) => (e.version === 3 ? { ...e, hash: null } : e)), 'unhashed-event@3'],
      // v3 re-hashed onto the genesis hash: its own hash holds, its link and v4's do not.
      ['relinked', events.map((e) => (e.version === 3 ? relinked(e) : e)), 'chain-break@3'],
    ];
    for (const [name, tampered, first] of cases) {
      const { cli, browser } = await both(tampered, evidenceFor(events).evidence);
      expect(browser, name).toEqual(cli);
      expect(browser.failures[0], name).toBe(first);
    }
    expect((await both(cases[3]?.[1] ?? [])).browser.failures).toEqual(['chain-break@3', 'chain-break@4']);
  });

  it('finds a consistently rewritten stream, a truncated one, a forged proof and a wrong key through the checkpoint', async () => {
    const events = stream();
    const { evidence } = evidenceFor(events);
    const rewritten = rechain(
      events.map((e) => (e.version === 2 ? { ...e, data: { ...(e.data as object), note: '改ざん' } } : e)),
    );
    const forged = {
      ...evidence,
      proof: { ...evidence.proof, path: evidence.proof.path.map(() => 'ab'.repeat(32)) },
    };
    const wrongKey = { ...evidence, publicKey: pem(OTHER.publicKey) };
    const cases: [string, AuditEvent[], CheckpointEvidence, string[]][] = [
      ['rewritten', rewritten, evidence, ['checkpoint-mismatch@4']],
      ['truncated', events.slice(0, 3), evidence, ['truncated@4']],
      ['forged proof', events, forged, ['bad-proof@4']],
      ['wrong key', events, wrongKey, ['checkpoint-signature@-']],
    ];
    for (const [name, tampered, ev, failures] of cases) {
      const { cli, browser } = await both(tampered, ev);
      expect(browser, name).toEqual(cli);
      expect(browser.failures, name).toEqual(failures);
      expect(browser.anchored, name).toBe(false);
    }
  });
});

describe('DER to IEEE P1363', () => {
  it('strips the sign byte and pads short integers to 32 bytes', () => {
    const r = [0x00, 0x80, ...Array(31).fill(1)];
    const s = [0x05, 0x06];
    const der = new Uint8Array([0x30, 4 + r.length + s.length, 0x02, r.length, ...r, 0x02, s.length, ...s]);
    const raw = derToP1363(der);
    expect(raw?.length).toBe(64);
    expect(Array.from(raw?.slice(0, 32) ?? [])).toEqual([0x80, ...Array(31).fill(1)]);
    expect(Array.from(raw?.slice(32) ?? [])).toEqual([...Array(30).fill(0), 5, 6]);
    expect(derToP1363(new Uint8Array([0x31, 0]))).toBeNull();
  });
});
