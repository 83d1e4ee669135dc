import { parseRateLimits } from '../functions/http/rate-limit.ts';
import { formatEndpoints } from './endpoints.ts';
import { serveFaultHooks } from './fault-hooks.ts';
import { PortInUseError, portsFromEnv } from './ports.ts';
import { type LocalStack, startLocalStack } from './stack.ts';

// npm start: the whole system on this machine. PORT (3000) and the other ports (local/ports.ts),
// CEPTOAR_DATA_DIR (.data), CEPTOAR_TIME_SCALE (1), CEPTOAR_RELAY_POLICY, CEPTOAR_REPORTING_PRESET, CEPTOAR_RATE_LIMITS and
// CEPTOAR_CHECKPOINT_SECONDS (300) are read here and nowhere else locally (CEPTOAR_FAULT_HOOKS, the soak's,
// by serveFaultHooks below).
const timeScale = Number(process.env.CEPTOAR_TIME_SCALE ?? 1);
if (!(timeScale > 0))
  throw new Error(`CEPTOAR_TIME_SCALE must be a positive number, got ${process.env.CEPTOAR_TIME_SCALE}`);

const rateLimits = process.env.CEPTOAR_RATE_LIMITS;
// Checked here, so a bad setting stops the start instead of failing every request.
if (rateLimits) parseRateLimits(rateLimits);

let stack: LocalStack;
try {
  stack = await startLocalStack({
    dataDir: process.env.CEPTOAR_DATA_DIR ?? '.data',
    ports: portsFromEnv(process.env),
    timeScale,
    ...(process.env.CEPTOAR_RELAY_POLICY ? { relayPolicy: process.env.CEPTOAR_RELAY_POLICY } : {}),
    ...(process.env.CEPTOAR_REPORTING_PRESET
      ? { reportingPreset: process.env.CEPTOAR_REPORTING_PRESET }
      : {}),
    ...(rateLimits ? { rateLimits } : {}),
    checkpointSeconds: checkpointSeconds(process.env.CEPTOAR_CHECKPOINT_SECONDS),
  });
} catch (error) {
  // A taken port is the operator's to fix: say which variable moves it, without a stack trace.
  if (!(error instanceof PortInUseError)) throw error;
  console.error(`[local] cannot start: ${error.message}`);
  process.exit(1);
}
// GET /health answers 200 from here on.
console.log(formatEndpoints(stack.endpoints));
// Only for a parent that asked for them (the soak, bench/soak.ts): CEPTOAR_FAULT_HOOKS=1 and an IPC channel.
serveFaultHooks(stack);

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
