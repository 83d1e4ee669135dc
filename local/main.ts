import { parseRateLimits } from '../functions/commons/rate-limit.ts';
import { startLocalStack } from './stack.ts';

// npm start: the whole system on this machine. PORT (3000), CEPTOAR_DATA_DIR (.data),
// CEPTOAR_TIME_SCALE (1), CEPTOAR_RELAY_POLICY, CEPTOAR_RATE_LIMITS and CEPTOAR_CHECKPOINT_SECONDS (300) are read
// here and nowhere else locally.
const port = Number(process.env.PORT ?? 3000);
const timeScale = Number(process.env.CEPTOAR_TIME_SCALE ?? 1);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
if (!(timeScale > 0))
  throw new Error(`CEPTOAR_TIME_SCALE must be a positive number, got ${process.env.CEPTOAR_TIME_SCALE}`);

const rateLimits = process.env.CEPTOAR_RATE_LIMITS;
// Checked here, so a bad setting stops the start instead of failing every request.
if (rateLimits) parseRateLimits(rateLimits);

const stack = await startLocalStack({
  dataDir: process.env.CEPTOAR_DATA_DIR ?? '.data',
  port,
  timeScale,
  ...(process.env.CEPTOAR_RELAY_POLICY ? { relayPolicy: process.env.CEPTOAR_RELAY_POLICY } : {}),
  ...(rateLimits ? { rateLimits } : {}),
  checkpointSeconds: checkpointSeconds(process.env.CEPTOAR_CHECKPOINT_SECONDS),
});

function checkpointSeconds(raw: string | undefined): number {
  const n = Number(raw ?? 300);
  if (!(n >= 0)) throw new Error(`CEPTOAR_CHECKPOINT_SECONDS must be 0 (off) or more, got ${raw}`);
  return n;
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`[local] ${signal}: stopping`);
    stack.stop().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
