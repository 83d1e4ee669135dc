import { createInterface } from 'node:readline';
import { startLocalStack } from '../local/stack.ts';

// The local stack for bench/api-latency.ts, in a process of its own so that the load generator does not share
// its event loop. Usage: node --import tsx bench/local-stack-child.ts <dataDir>
// Protocol (JSON lines): prints {"url"} once up; on stdin "settle" waits until the stack is idle and prints
// {"settled": true}; on "stop" or when stdin closes (the parent died) stops the stack and exits.

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: local-stack-child.ts <dataDir>');

const stack = await startLocalStack({ dataDir, quiet: true, rateLimits: 'off' });
const settle = (stack as { settle?: () => Promise<void> }).settle;
const send = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);
send({ url: stack.url, canSettle: typeof settle === 'function' });

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(0);
};

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'stop') {
    void stop();
  } else if (line === 'settle') {
    void (async () => {
      if (typeof settle === 'function') {
        // Reactions can start workflow steps that append again: settle, let those run, settle again.
        await settle.call(stack);
        await new Promise((r) => setTimeout(r, 500));
        await settle.call(stack);
      }
      send({ settled: typeof settle === 'function' });
    })().catch(() => {
      // A stop while settling ends the pollers it waits on: nothing left to report.
    });
  }
});
lines.on('close', () => void stop());
