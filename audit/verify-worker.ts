import { parentPort, workerData } from 'node:worker_threads';
import type { Checkpoint } from '../events/audit/checkpoint.ts';
import { verifyRange } from './verify-file.ts';

// One byte range of an export file, verified on its own thread (see verify-file.ts).
const { path, preamble, start, end } = workerData as {
  path: string;
  preamble: { publicKeyPem: string | undefined; checkpoints: Checkpoint[] };
  start: number;
  end: number;
};
const result = await verifyRange(path, preamble, start, end, (progress) =>
  parentPort?.postMessage({ progress }),
);
parentPort?.postMessage({ result });
