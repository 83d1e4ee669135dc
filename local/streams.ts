import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DescribeStreamCommandInput,
  type DescribeStreamCommandOutput,
  DynamoDBStreams,
  type GetRecordsCommandInput,
  type GetRecordsCommandOutput,
  type GetShardIteratorCommandInput,
  type GetShardIteratorCommandOutput,
  type AttributeValue as SdkAttributeValue,
  type _Record as SdkRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { LocalLog } from './dynamodb.ts';
import { PollLoop, type PollPauseOptions, pollPauses } from './poll-loop.ts';

// The local stand-in for Lambda's DynamoDB Streams event source mapping: per-shard order,
// at-least-once delivery, checkpoint only after success, retries of the same batch, partial
// batch responses, parent-before-child shard order, resume from a persisted checkpoint.

/** A stream handler with Lambda's signature (ReportBatchItemFailures enabled). */
// biome-ignore lint/suspicious/noConfusingVoidType: Lambda handlers that return nothing are `async () => {}`, i.e. Promise<void>.
export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<void | DynamoDBBatchResponse>;

/** The three DynamoDB Streams calls the poller makes (the SDK's DynamoDBStreams satisfies it). */
export interface StreamsApi {
  describeStream(input: DescribeStreamCommandInput): Promise<Omit<DescribeStreamCommandOutput, '$metadata'>>;
  getShardIterator(
    input: GetShardIteratorCommandInput,
  ): Promise<Omit<GetShardIteratorCommandOutput, '$metadata'>>;
  getRecords(input: GetRecordsCommandInput): Promise<Omit<GetRecordsCommandOutput, '$metadata'>>;
}

/** Options of {@link startStreamPoller}. */
export interface StreamPollerOptions extends PollPauseOptions {
  readonly dynamoEndpoint: string;
  /** The access key the table was created under (DynamoDB Local keeps a database per key without -sharedDb); default `local`. */
  readonly accessKeyId?: string;
  readonly tableName: string;
  /** JSON file holding the last acknowledged sequence number per shard; none = in memory only. */
  readonly checkpointFile?: string;
  readonly handler: StreamHandler;
  /** Records per handler call (GetRecords Limit); Lambda's default 100, at most 1000. */
  readonly batchSize?: number;
  /**
   * The event source mapping's filter (infra/stack.ts: only event items): records it refuses are never
   * handed over, and count as handled, as in Lambda. The batch size then counts the records it keeps (a
   * GetRecords reads up to 1000 at a time).
   */
  readonly filter?: (record: DynamoDBRecord) => boolean;
  /** First delay before retrying a failed batch; doubles per attempt up to 20x. Default 100 ms. */
  readonly retryBackoffMs?: number;
  /** How often the shard list is re-read while records flow; default 1000 ms. */
  readonly shardRefreshMs?: number;
  readonly log?: LocalLog;
  /** What reads the stream, for the log (as Lambda names an event source mapping's function). */
  readonly name?: string;
  /** Use this stream instead of the table's LatestStreamArn. */
  readonly streamArn?: string;
  /** Replace the DynamoDB Streams client (tests inject faults through this). */
  readonly streamsApi?: StreamsApi;
}

/** A running stream poller. */
export interface StreamPoller {
  /** The stream being read. */
  readonly streamArn: string;
  /**
   * Resolves once every record that was in the stream when called has been handed to the
   * handler and acknowledged (a batch that keeps failing keeps it pending). Rejects on stop().
   */
  idle(): Promise<void>;
  /** Ends the pause between empty polls: something may have been written (it polls at once). */
  nudge(): void;
  /** How many polling cycles have handed records to the handler so far. */
  readonly workDone: number;
  /** Lets the in-flight batch finish (and be checkpointed), then stops polling. Idempotent. */
  stop(): Promise<void>;
  /**
   * Stops at once, as when the process reading the stream dies: waits up to `waitForBatchMs` for a
   * batch to be in the handler, then abandons it. Nothing is checkpointed from then on, so a new poller
   * on the same checkpoint file hands that batch over again (the abandoned handler call runs on to
   * its end meanwhile, as a request already sent would). For the soak's fault schedule (bench/soak.ts).
   */
  crash(options?: { waitForBatchMs?: number }): Promise<{ midBatch: boolean; records: number }>;
}

interface CheckpointFile {
  readonly streamArn: string;
  readonly shards: Record<string, { sequenceNumber?: string; closed?: boolean }>;
}

interface ShardState {
  readonly id: string;
  readonly parentId: string | undefined;
  /** Last sequence number the handler acknowledged. */
  checkpoint: string | undefined;
  iterator: string | undefined;
  /** Fetched records not yet acknowledged, oldest first (those the filter keeps). */
  pending: DynamoDBRecord[];
  /** The last record of the page `pending` came from: acknowledged with it when the rest was filtered out. */
  pageEnd: string | undefined;
  /** GetRecords answered without NextShardIterator: nothing follows `pending`. */
  endReached: boolean;
  /** Fully read and acknowledged; children may start. */
  closed: boolean;
  attempts: number;
  nextAttemptAt: number;
}

type PumpResult = 'empty' | 'progress' | 'waiting';

const silent: LocalLog = { info: () => {}, warn: () => {} };

/** Starts polling the table's stream and handing batches to `handler` like Lambda's event source mapping. */
export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const log = options.log ?? silent;
  const batchSize = Math.min(Math.max(options.batchSize ?? 100, 1), 1000);
  const readLimit = options.filter ? 1000 : batchSize;
  const { pollIntervalMs, idlePollMaxMs } = pollPauses(options);
  const retryBackoffMs = options.retryBackoffMs ?? 100;
  const shardRefreshMs = options.shardRefreshMs ?? 1000;
  const clientConfig = {
    endpoint: options.dynamoEndpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: options.accessKeyId ?? 'local', secretAccessKey: 'local' },
  };
  const sdk = options.streamsApi === undefined ? new DynamoDBStreams(clientConfig) : undefined;
  const api: StreamsApi = options.streamsApi ?? (sdk as DynamoDBStreams);

  const streamArn = options.streamArn ?? (await latestStreamArn(clientConfig, options.tableName));
  const shards = new Map<string, ShardState>();
  const saved = await loadCheckpoint(options.checkpointFile, streamArn, log);

  const poll = new PollLoop('stream poller');
  /** Set by crash(): no checkpoint is written any more. */
  let crashed = false;
  /** Records in the handler right now (0: none). */
  let inHandler = 0;
  const batchWaiters = new Set<() => void>();
  let lastRefresh = 0;
  let refreshNeeded = true;

  async function refreshShards(): Promise<void> {
    const seen = new Set<string>();
    let start: string | undefined;
    do {
      const { StreamDescription } = await api.describeStream({
        StreamArn: streamArn,
        ExclusiveStartShardId: start,
      });
      for (const shard of StreamDescription?.Shards ?? []) {
        if (shard.ShardId === undefined) continue;
        seen.add(shard.ShardId);
        if (shards.has(shard.ShardId)) continue;
        const stored = saved.shards[shard.ShardId];
        shards.set(shard.ShardId, {
          id: shard.ShardId,
          parentId: shard.ParentShardId,
          checkpoint: stored?.sequenceNumber,
          iterator: undefined,
          pending: [],
          pageEnd: undefined,
          endReached: false,
          closed: stored?.closed === true,
          attempts: 0,
          nextAttemptAt: 0,
        });
      }
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start !== undefined);
    // Shards trimmed from the stream (24 h retention) no longer need remembering.
    for (const id of shards.keys()) if (!seen.has(id)) shards.delete(id);
    lastRefresh = Date.now();
    refreshNeeded = false;
  }

  function runnable(): ShardState[] {
    // A child shard starts only when its parent is fully processed (or gone), as in Lambda.
    return [...shards.values()].filter((shard) => {
      if (shard.closed) return false;
      const parent = shard.parentId === undefined ? undefined : shards.get(shard.parentId);
      return parent === undefined || parent.closed;
    });
  }

  async function acquireIterator(shard: ShardState): Promise<string | undefined> {
    const position =
      shard.checkpoint === undefined
        ? ({ ShardIteratorType: 'TRIM_HORIZON' } as const)
        : ({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.checkpoint } as const);
    try {
      const out = await api.getShardIterator({ StreamArn: streamArn, ShardId: shard.id, ...position });
      return out.ShardIterator;
    } catch (error) {
      if (errorName(error) === 'TrimmedDataAccessException') {
        // The checkpoint fell out of the retention window: like Lambda, continue with what is left.
        log.warn(`stream ${options.tableName}: checkpoint ${shard.checkpoint} on ${shard.id} trimmed`);
        shard.checkpoint = undefined;
        return acquireIterator(shard);
      }
      throw error;
    }
  }

  async function pump(shard: ShardState): Promise<PumpResult> {
    if (shard.pending.length === 0) {
      if (shard.endReached) return markClosed(shard);
      shard.iterator ??= await acquireIterator(shard);
      if (shard.iterator === undefined) return markClosed(shard);
      let out: Awaited<ReturnType<StreamsApi['getRecords']>>;
      try {
        out = await api.getRecords({ ShardIterator: shard.iterator, Limit: readLimit });
      } catch (error) {
        const name = errorName(error);
        if (name === 'ExpiredIteratorException' || name === 'TrimmedDataAccessException') {
          // Iterators live 15 minutes; a fresh one from the checkpoint loses and repeats nothing.
          log.info(`stream ${options.tableName}: ${name} on ${shard.id}, re-reading from checkpoint`);
          shard.iterator = undefined;
          return 'progress';
        }
        if (name === 'ResourceNotFoundException') {
          refreshNeeded = true;
          shard.iterator = undefined;
          return 'waiting';
        }
        throw error;
      }
      shard.iterator = out.NextShardIterator;
      shard.endReached = out.NextShardIterator === undefined || out.NextShardIterator === null;
      const page = (out.Records ?? []).map((record) => toLambdaRecord(record, streamArn));
      if (page.length === 0) return shard.endReached ? markClosed(shard) : 'empty';
      shard.pageEnd = page.at(-1)?.dynamodb?.SequenceNumber;
      shard.pending = options.filter ? page.filter(options.filter) : page;
      if (shard.pending.length === 0) {
        // Nothing here for the handler: the page is done.
        shard.checkpoint = shard.pageEnd;
        await saveCheckpoint();
        return 'progress';
      }
    }
    if (Date.now() < shard.nextAttemptAt) return 'waiting';

    const batch = shard.pending.slice(0, batchSize);
    let failedFrom: number;
    inHandler = batch.length;
    for (const wake of batchWaiters) wake();
    try {
      const response = await options.handler({ Records: batch.map((record) => structuredClone(record)) });
      failedFrom = firstFailure(response, batch);
    } catch (error) {
      failedFrom = 0;
      log.warn(
        `stream ${options.tableName}: handler failed on ${batch.length} record(s) of ${shard.id} ` +
          `(attempt ${shard.attempts + 1}): ${(error as Error)?.message ?? String(error)}`,
      );
    } finally {
      inHandler = 0;
    }
    // Abandoned by crash(): the batch's outcome is lost with the process that held it.
    if (crashed) return 'waiting';
    const acknowledged = batch.slice(0, failedFrom);
    const rest = shard.pending.slice(batch.length);
    // The whole page handled: its filtered-out tail with it.
    const last =
      failedFrom === batch.length && rest.length === 0
        ? shard.pageEnd
        : acknowledged.at(-1)?.dynamodb?.SequenceNumber;
    if (last !== undefined) {
      shard.checkpoint = last;
      await saveCheckpoint();
    }
    shard.pending = [...batch.slice(failedFrom), ...rest];
    if (failedFrom < batch.length) {
      shard.attempts += 1;
      shard.nextAttemptAt =
        Date.now() + Math.min(retryBackoffMs * 2 ** (shard.attempts - 1), retryBackoffMs * 20);
      return 'waiting';
    }
    shard.attempts = 0;
    shard.nextAttemptAt = 0;
    return 'progress';
  }

  async function markClosed(shard: ShardState): Promise<PumpResult> {
    shard.closed = true;
    refreshNeeded = true; // its children, if any, become runnable
    await saveCheckpoint();
    return 'progress';
  }

  async function saveCheckpoint(): Promise<void> {
    if (options.checkpointFile === undefined || crashed) return;
    const content: CheckpointFile = {
      streamArn,
      shards: Object.fromEntries(
        [...shards.values()]
          .filter((shard) => shard.checkpoint !== undefined || shard.closed)
          .map((shard) => [
            shard.id,
            { sequenceNumber: shard.checkpoint, ...(shard.closed ? { closed: true } : {}) },
          ]),
      ),
    };
    // Write-then-rename so a crash never leaves a torn checkpoint behind.
    const temporary = `${options.checkpointFile}.tmp`;
    await mkdir(dirname(options.checkpointFile), { recursive: true });
    await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`);
    await rename(temporary, options.checkpointFile);
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!poll.stopping) {
      const thisCycle = poll.nextCycle();
      let quiet = true;
      let progressed = false;
      try {
        if (refreshNeeded || poll.awaited || Date.now() - lastRefresh > shardRefreshMs) {
          await refreshShards();
        }
        for (const shard of runnable()) {
          if (poll.stopping) break;
          const result = await pump(shard);
          if (result !== 'empty') quiet = false;
          if (result === 'progress') progressed = true;
        }
        failures = 0;
      } catch (error) {
        // DynamoDB Local unreachable or similar: keep trying, never lose the checkpoint.
        failures += 1;
        log.warn(`stream ${options.tableName}: poll failed (${failures}): ${(error as Error)?.message}`);
        if (!poll.stopping) await poll.sleep(Math.min(100 * 2 ** failures, 5000));
        continue;
      }
      if (quiet) poll.quiet(thisCycle);
      else poll.worked();
      // After progress poll again at once; empty cycles and batches in backoff pause.
      if (!progressed && !poll.stopping) {
        await poll.sleep(quiet ? poll.quietPause(pollIntervalMs, idlePollMaxMs) : pollIntervalMs);
      }
    }
  }

  await refreshShards();
  const running = loop();
  log.info(
    `stream poller on ${options.tableName}${options.name ? ` for ${options.name}` : ''} started (${shards.size} shard(s))`,
  );

  return {
    streamArn,
    idle: () => poll.idle(),
    nudge: () => poll.nudge(),
    get workDone() {
      return poll.workDone;
    },
    stop: () =>
      poll.stop(running, () => {
        sdk?.destroy();
        log.info(`stream poller on ${options.tableName} stopped`);
      }),
    async crash({ waitForBatchMs = 0 } = {}) {
      if (inHandler === 0 && waitForBatchMs > 0) {
        let wake = () => {};
        const started = new Promise<void>((resolveStarted) => {
          wake = resolveStarted;
        });
        batchWaiters.add(wake);
        await Promise.race([started, new Promise((r) => setTimeout(r, waitForBatchMs))]);
        batchWaiters.delete(wake);
      }
      const records = inHandler;
      crashed = true;
      // The loop ends after the abandoned call returns; nobody waits for it (its sockets go with it).
      void poll.stop(running, () => sdk?.destroy());
      log.warn(
        `stream poller on ${options.tableName} crashed ${records > 0 ? `with ${records} record(s) in the handler` : 'between batches'}`,
      );
      return { midBatch: records > 0, records };
    },
  };
}

/**
 * The table's current stream: the newest (by label, a creation time) ListStreams names, which is
 * cheap, where DescribeTable on DynamoDB Local counts the table's items (1.2–1.8 s at 62,000,
 * measured). No stream listed: DescribeTable says why.
 */
async function latestStreamArn(
  config: ConstructorParameters<typeof DynamoDBClient>[0] & object,
  tableName: string,
): Promise<string> {
  const streams = new DynamoDBStreams(config);
  try {
    const listed: { arn: string; label: string }[] = [];
    let start: string | undefined;
    do {
      const page = await streams.listStreams({ TableName: tableName, ExclusiveStartStreamArn: start });
      for (const s of page.Streams ?? [])
        if (s.StreamArn && s.TableName === tableName)
          listed.push({ arn: s.StreamArn, label: s.StreamLabel ?? '' });
      start = page.LastEvaluatedStreamArn;
    } while (start);
    const newest = listed.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)).at(-1);
    if (newest) return newest.arn;
  } finally {
    streams.destroy();
  }
  const client = new DynamoDBClient(config);
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const arn = Table?.LatestStreamArn;
    if (arn === undefined || Table?.StreamSpecification?.StreamEnabled !== true) {
      throw new Error(`table ${tableName} has no stream enabled`);
    }
    return arn;
  } finally {
    client.destroy();
  }
}

async function loadCheckpoint(
  file: string | undefined,
  streamArn: string,
  log: LocalLog,
): Promise<CheckpointFile> {
  const empty: CheckpointFile = { streamArn, shards: {} };
  if (file === undefined) return empty;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return empty;
    throw error;
  }
  // A corrupt checkpoint is an error, not a silent restart from TRIM_HORIZON.
  const parsed = JSON.parse(text) as CheckpointFile;
  if (parsed.streamArn !== streamArn) {
    // The table was re-created: the old sequence numbers mean nothing on the new stream.
    log.warn(
      `checkpoint ${file} belongs to ${parsed.streamArn}, not ${streamArn}; starting from TRIM_HORIZON`,
    );
    return empty;
  }
  return { streamArn, shards: parsed.shards ?? {} };
}

/** Index of the first record to retry per the handler's partial batch response; batch.length = all good. */
function firstFailure(response: unknown, batch: readonly DynamoDBRecord[]): number {
  const failures = (response as DynamoDBBatchResponse | undefined | null)?.batchItemFailures;
  if (failures === undefined || failures === null || failures.length === 0) return batch.length;
  let first = batch.length;
  for (const failure of failures) {
    const index = batch.findIndex((record) => record.dynamodb?.SequenceNumber === failure?.itemIdentifier);
    // Lambda treats an empty or unknown itemIdentifier as a failure of the whole batch.
    if (index < 0) return 0;
    first = Math.min(first, index);
  }
  return first;
}

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { name?: string }).name : undefined;
}

/** The record exactly as Lambda's event source mapping passes it (epoch-second times, base64 binaries). */
export function toLambdaRecord(record: SdkRecord, streamArn: string): DynamoDBRecord {
  const data = record.dynamodb;
  const out: DynamoDBRecord = {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion,
    dynamodb: {
      ...(data?.ApproximateCreationDateTime === undefined
        ? {}
        : { ApproximateCreationDateTime: Math.floor(data.ApproximateCreationDateTime.getTime() / 1000) }),
      ...(data?.Keys === undefined ? {} : { Keys: toLambdaImage(data.Keys) }),
      ...(data?.NewImage === undefined ? {} : { NewImage: toLambdaImage(data.NewImage) }),
      ...(data?.OldImage === undefined ? {} : { OldImage: toLambdaImage(data.OldImage) }),
      SequenceNumber: data?.SequenceNumber,
      SizeBytes: data?.SizeBytes,
      StreamViewType: data?.StreamViewType,
    },
    eventSourceARN: streamArn,
  };
  if (record.userIdentity !== undefined) {
    out.userIdentity = { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
  }
  return out;
}

function toLambdaImage(image: Record<string, SdkAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaValue(value)]));
}

function toLambdaValue(value: SdkAttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  throw new Error(`unsupported attribute value ${JSON.stringify(value)}`);
}
