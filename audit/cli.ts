import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { LogVerifier } from '../events/audit/verify.ts';
import { isSectorId, sectorIds } from '../events/sector/catalog.ts';
import { auditFoldings, streamTypeOf } from '../functions/audit/audit-aggregates.ts';
import { kmsSigner, s3Archive } from '../functions/audit/audit-aws.ts';
import { replayStream } from '../functions/audit/audit-replay.ts';
import type { StoredEvent } from '../functions/store/event-store.ts';
import {
  ComplianceReport,
  type ComplianceRow,
  complianceCsv,
  complianceOf,
  complianceTable,
  type StageComplianceRow,
  stageComplianceTable,
} from './compliance.ts';
import { exportLog, streamFromExport, streamsOfExport } from './export-file.ts';
import { progress } from './progress.ts';
import { ApiSource, type AuditSource, DirectSource } from './source.ts';
import { exportStix } from './stix.ts';
import { type Lang, renderTimeline } from './timeline.ts';
import { formatReport, verifyExport, verifyLive } from './verify-run.ts';

const USAGE = `npm run --silent audit -- <command> [options]

commands:
  export --from T --to T --out FILE [--format ndjson|stix] [--no-checkpoint]
  verify FILE [--public-key PEM] [--workers N] | verify --live
  replay STREAM --as-of T [--file FILE]
  timeline STREAM [--lang ja|en] [--file FILE]
  compliance --from T --to T [--csv] [--file FILE]
  checkpoint                      publish a signed checkpoint now
  partitions --aws --table NAME   move the audit index entries an earlier release wrote into their
                                  sectors' partitions, once after deploying (the local stack does it at start)

where the log is read from (default: the local stack of PORT and CEPTOAR_DATA_DIR):
  --aws --table NAME --bucket NAME --key-arn ARN   the AWS stack, with the caller's credentials
  --file FILE                                       an export file, offline (replay, timeline, compliance)
  --sector ID                                       as an auditor granted that sector only (local stack):
                                                    export, compliance, replay and timeline read its streams

STREAM is a stream id such as incident#<uuid>. Times are ISO 8601 with a zone.
verify exits 0 only when every check holds; each failure names its stream and version.`;

/** A usage mistake: exit code 2. */
class UsageError extends Error {}

const OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string' },
  'no-checkpoint': { type: 'boolean' },
  'public-key': { type: 'string' },
  workers: { type: 'string' },
  live: { type: 'boolean' },
  'as-of': { type: 'string' },
  file: { type: 'string' },
  lang: { type: 'string' },
  csv: { type: 'boolean' },
  aws: { type: 'boolean' },
  table: { type: 'string' },
  bucket: { type: 'string' },
  'key-arn': { type: 'string' },
  sector: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function instant(raw: string | undefined, name: string): string {
  if (!raw) throw new UsageError(`--${name} is required`);
  const t = Date.parse(raw);
  if (Number.isNaN(t) || !/(Z|[+-]\d{2}:\d{2})$|^\d{4}-\d{2}-\d{2}$/.test(raw))
    throw new UsageError(`--${name} must be an ISO 8601 time with a zone, got ${raw}`);
  return new Date(t).toISOString();
}

async function sourceFrom(values: Values): Promise<AuditSource> {
  const { sector } = values;
  if (sector !== undefined) {
    if (!isSectorId(sector))
      throw new UsageError(`--sector must be a sector id, one of ${sectorIds.join(', ')}`);
    // The table read directly has no sectors to filter by: the caller's credentials read it all.
    if (values.aws)
      throw new UsageError('--sector reads through the local audit API; it cannot be used with --aws');
    return ApiSource.local(process.env, sector);
  }
  if (!values.aws) return ApiSource.local();
  const { table, bucket } = values;
  const keyArn = values['key-arn'];
  if (!table || !bucket || !keyArn)
    throw new UsageError('--aws needs --table, --bucket and --key-arn (stack outputs)');
  const signer = kmsSigner(new KMSClient({}), keyArn);
  return new DirectSource(new DynamoDBClient({}), table, s3Archive(new S3Client({}), bucket), signer, () =>
    signer.publicKeyPem(),
  );
}

async function eventsOf(values: Values, streamId: string): Promise<AsyncIterable<StoredEvent>> {
  if (values.file) return streamFromExport(values.file, streamId);
  return (await sourceFrom(values)).streamEvents(streamId);
}

/** Collects a stream and checks its chain on the way: a replay of a tampered stream says so. */
async function collectVerified(events: AsyncIterable<StoredEvent>, streamId: string) {
  const verifier = new LogVerifier(undefined);
  verifier.beginStream(streamId);
  const all: StoredEvent[] = [];
  for await (const e of events) {
    verifier.event(e);
    all.push(e);
  }
  const report = verifier.report();
  for (const f of report.failures) process.stderr.write(`warning: ${f.message}\n`);
  return all;
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  const [command, arg] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  switch (command) {
    case 'export': {
      const from = instant(values.from, 'from');
      const to = instant(values.to, 'to');
      if (!values.out) throw new UsageError('--out FILE is required');
      const source = await sourceFrom(values);
      const format = values.format ?? 'ndjson';
      if (format === 'stix') {
        const n = await exportStix(source, { from, to, out: values.out });
        process.stderr.write(`wrote a STIX 2.1 bundle of ${n} objects to ${values.out}\n`);
        return 0;
      }
      if (format !== 'ndjson') throw new UsageError('--format is ndjson or stix');
      const result = await exportLog(source, {
        from,
        to,
        out: values.out,
        newCheckpoint: !values['no-checkpoint'],
        progress: progress(),
      });
      process.stderr.write(
        `exported ${result.events} events of ${result.streams} streams to ${values.out} (checkpoint ${result.checkpoint ?? 'none'})\n`,
      );
      return 0;
    }
    case 'verify': {
      const pinned = values['public-key'] ? readFileSync(values['public-key'], 'utf8') : undefined;
      let outcome: Awaited<ReturnType<typeof verifyExport>>;
      if (values.live) {
        // A live check rebuilds the root from every leaf; one sector's leaves cannot.
        if (values.sector !== undefined)
          throw new UsageError('verify --live checks every sector; export one sector and verify the file');
        outcome = await verifyLive(await sourceFrom(values), { progress: progress() });
      } else {
        if (!arg) throw new UsageError('verify needs an export FILE or --live');
        const bar = progress();
        const workers = values.workers === undefined ? undefined : Number(values.workers);
        if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1 && workers <= 16))
          throw new UsageError('--workers is a whole number from 1 to 16');
        outcome = await verifyExport(arg, {
          publicKeyPem: pinned,
          progress: bar,
          ...(workers ? { workers } : {}),
        });
      }
      process.stdout.write(`${formatReport(outcome)}\n`);
      return outcome.ok ? 0 : 1;
    }
    case 'replay': {
      if (!arg) throw new UsageError('replay needs a STREAM id');
      const asOf = instant(values['as-of'], 'as-of');
      const events = await collectVerified(await eventsOf(values, arg), arg);
      const replay = await replayStream(arg, events, auditFoldings[streamTypeOf(arg)], asOf);
      if (replay.version === 0) {
        process.stderr.write(`${arg} did not exist at ${asOf}\n`);
        return 1;
      }
      process.stdout.write(
        `${JSON.stringify({ streamId: arg, asOf, version: replay.version, state: replay.state }, null, 2)}\n`,
      );
      return 0;
    }
    case 'timeline': {
      if (!arg) throw new UsageError('timeline needs a STREAM id');
      const lang = (values.lang ?? 'ja') as Lang;
      if (lang !== 'ja' && lang !== 'en') throw new UsageError('--lang is ja or en');
      const events = await collectVerified(await eventsOf(values, arg), arg);
      if (events.length === 0) {
        process.stderr.write(`no such stream ${arg}\n`);
        return 1;
      }
      process.stdout.write(`${renderTimeline(arg, events, lang, new Date().toISOString())}\n`);
      return 0;
    }
    case 'compliance': {
      const from = instant(values.from, 'from');
      const to = instant(values.to, 'to');
      const now = new Date().toISOString();
      let rows: ComplianceRow[];
      let stages: StageComplianceRow[];
      if (values.file) {
        const report = new ComplianceReport(from, to, now);
        for await (const s of streamsOfExport(values.file)) {
          if (streamTypeOf(s.streamId) === 'incident') report.addIncident(s.events);
        }
        rows = report.result();
        stages = report.stageResult();
      } else {
        ({ rows, stages } = await complianceOf(await sourceFrom(values), { from, to, now }, progress()));
      }
      // The CSV stays one table (per hop); the text report adds the reporting stages below it.
      process.stdout.write(
        values.csv ? complianceCsv(rows) : `${complianceTable(rows)}\n\n${stageComplianceTable(stages)}\n`,
      );
      return 0;
    }
    case 'partitions': {
      if (!values.aws || !values.table)
        throw new UsageError('partitions needs --aws --table NAME: the local stack moves its own at start');
      const { moveToGroups } = await import('../functions/audit/audit-partitions.ts');
      const moved = await moveToGroups(new DynamoDBClient({}), values.table, {
        info: (m) => process.stderr.write(`${m}\n`),
      });
      process.stdout.write(`moved ${moved.heads} heads and ${moved.entries} time entries\n`);
      return 0;
    }
    case 'checkpoint': {
      const checkpoint = await (await sourceFrom(values)).publishCheckpoint();
      process.stdout.write(`${JSON.stringify(checkpoint, null, 2)}\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
