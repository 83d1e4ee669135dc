import { generateKeyPairSync, sign } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { eventLine, streamsOfExport } from '../audit/export-file.ts';
import { verifyExport } from '../audit/verify-run.ts';
import { type CheckpointBody, signedBytes } from '../events/audit/checkpoint.ts';
import { chainHashes, GENESIS_HASH } from '../events/audit/hash.ts';
import { buildTree, type HeadLeaf } from '../events/audit/merkle.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import { replayStream } from '../functions/audit/audit-replay.ts';

/**
 * One measured step of the audit bench, in its own process so its peak RSS is its own:
 *   generate FILE STREAMS EVENTS_PER_STREAM   an export with valid chains, a signed checkpoint, proofs
 *   verify FILE PUBLIC_KEY_FILE               stream-verify it
 *   replay FILE                               fold every stream (upcast + evolve)
 * Prints one JSON line: {events, ms, maxRssMb, ...}.
 */

const T0 = Date.parse('2026-04-01T00:00:00.000Z');
const member = (n: number) => ({
  kind: 'user',
  sub: `u-member-${n % 97}`,
  role: 'member',
  org: `member-${n % 11}`,
});
const secretariat = { kind: 'user', sub: 'u-sec-1', role: 'secretariat' };
const system = { kind: 'system', sub: 'system:relay-workflow' };

/** A realistic incident stream: the report, follow-ups, the relay, its waits and its deliveries. */
function streamContents(s: number, n: number) {
  const id = `00000000-0000-4000-8000-${String(s).padStart(12, '0')}`;
  const streamId = `incident#${id}`;
  const at = (i: number) => new Date(T0 + s * 60_000 + i * 1000).toISOString();
  const out = [];
  for (let i = 0; i < n; i++) {
    const v = i + 1;
    let type: string;
    let data: unknown;
    let actor: unknown = system;
    if (i === 0) {
      type = 'IncidentReported';
      actor = member(s);
      data = {
        incidentId: id,
        org: `member-${s % 11}`,
        reportedBy: `u-member-${s % 97}`,
        report: {
          title: `制御系ネットワーク障害 ${s}`,
          description:
            'DCS と上位系の通信が断続的に途絶。原因を調査中。Communication between the DCS and business systems drops intermittently.',
          category: 'system_failure',
          severity: ['critical', 'high', 'medium', 'low'][s % 4],
          occurredAt: at(-600),
          detectedAt: at(-300),
          affectedSystems: ['plant_control'],
          tlp: 'AMBER',
          contact: { name: '担当者', email: `contact${s}@member.example` },
        },
        secretariatDueAt: at(3600),
      };
    } else if (i % 10 === 1) {
      type = 'FollowUpAdded';
      actor = member(s);
      data = {
        number: Math.ceil(i / 10),
        description: `続報 ${i}: 復旧作業を継続中。`,
        recoveryStatus: 'mitigating',
        resubmitted: false,
      };
    } else if (i % 10 === 2) {
      type = 'RelayWaitStarted';
      data = {
        hop: 'secretariat',
        attempt: 0,
        dueAt: at(3600),
        taskToken: `token-${s}-${i}-${'x'.repeat(40)}`,
      };
    } else {
      type = 'NotificationDelivered';
      data = {
        key: `${v}:follow_up:c-${i}:email`,
        purpose: 'follow_up',
        channel: 'email',
        to: `person${i}@member.example`,
        messageId: `<${s}.${i}@ses.example>`,
      };
    }
    if (i === 3) {
      type = 'RelayApproved';
      actor = secretariat;
      data = { note: '承認', ministryDueAt: at(7200) };
    }
    out.push({ streamId, version: v, type, data, recordedAt: at(i), actor, schemaVersion: 1 });
  }
  return out;
}

async function generate(file: string, streams: number, perStream: number, keyFile: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(keyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  // Pass 1: the heads (hashing every stream once) to build the checkpoint.
  const heads: HeadLeaf[] = [];
  for (let s = 0; s < streams; s++) {
    const contents = streamContents(s, perStream);
    const links = chainHashes(GENESIS_HASH, contents);
    heads.push({
      streamId: contents[0]?.streamId ?? '',
      version: perStream,
      hash: links[perStream - 1]?.hash ?? '',
    });
  }
  heads.sort((a, b) => (a.streamId < b.streamId ? -1 : 1));
  const tree = buildTree(heads);
  const body: CheckpointBody = {
    format: 'ceptoar-checkpoint/1',
    id: 'bench',
    createdAt: new Date().toISOString(),
    treeSize: tree.size,
    rootHash: tree.root,
    algorithm: 'Ed25519',
    keyId: 'bench',
  };
  const checkpoint = { ...body, signature: sign(null, signedBytes(body), privateKey).toString('base64') };
  const index = new Map(heads.map((h, i) => [h.streamId, i]));
  const out = createWriteStream(file, { highWaterMark: 1 << 22 });
  const writeLine = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  const write = (record: unknown) => writeLine(JSON.stringify(record));
  await write({
    kind: 'header',
    format: 'ceptoar-audit-export/1',
    from: 'bench',
    to: 'bench',
    exportedAt: body.createdAt,
    publicKey: null,
  });
  await write({ kind: 'checkpoint', ...checkpoint });
  for (let s = 0; s < streams; s++) {
    const contents = streamContents(s, perStream);
    const links = chainHashes(GENESIS_HASH, contents);
    const streamId = contents[0]?.streamId ?? '';
    const leafIndex = index.get(streamId) ?? 0;
    const head = heads[leafIndex] as HeadLeaf;
    await write({
      kind: 'stream',
      streamId,
      head: { version: head.version, hash: head.hash },
      proof: { checkpointId: 'bench', ...head, leafIndex, path: tree.proof(leafIndex) },
    });
    for (const [i, c] of contents.entries()) await writeLine(eventLine({ ...c, ...links[i] }));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return { events: streams * perStream };
}

async function replay(file: string) {
  let events = 0;
  let streams = 0;
  for await (const s of streamsOfExport(file)) {
    const r = await replayStream(s.streamId, s.events, incidents, null);
    events += r.version;
    streams++;
  }
  return { events, streams };
}

const [command, file = '', a = '', b = ''] = process.argv.slice(2);
const started = performance.now();
let result: Record<string, unknown>;
if (command === 'generate') result = await generate(file, Number(a), Number(b), `${file}.pub.pem`);
else if (command === 'verify') {
  const { readFileSync } = await import('node:fs');
  const outcome = await verifyExport(file, {
    publicKeyPem: readFileSync(a, 'utf8'),
    ...(b ? { workers: Number(b) } : {}),
  });
  result = {
    events: outcome.events,
    ok: outcome.ok,
    anchored: outcome.anchored,
    failures: outcome.failures.length,
  };
} else if (command === 'replay') result = await replay(file);
else throw new Error(`unknown command ${command}`);
const ms = performance.now() - started;
process.stdout.write(
  `${JSON.stringify({ ...result, ms: Math.round(ms), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
);
