import type { LocalStack } from './stack.ts';

/** A request from the parent process over the IPC channel; `id` comes back with the answer. */
export type FaultRequest =
  | { id: number; op: 'status' }
  | { id: number; op: 'restart-dynamodb' }
  | { id: number; op: 'crash-stream-poller'; waitForBatchMs: number }
  | { id: number; op: 'refuse-deliveries'; on: boolean }
  | { id: number; op: 'queue-counts' }
  | { id: number; op: 'settle' };

/** The answer to a {@link FaultRequest}. */
export type FaultAnswer =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };

/**
 * Serves the stack's fault hooks (LocalStack.faults) to the process that started `npm start` with an IPC
 * channel and CEPTOAR_FAULT_HOOKS=1: the soak (bench/soak.ts). Without both, nothing listens; the hooks
 * are never reachable over the network.
 */
export function serveFaultHooks(stack: LocalStack, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.CEPTOAR_FAULT_HOOKS !== '1' || typeof process.send !== 'function') return false;
  const send = (answer: FaultAnswer) => process.send?.(answer);
  const run = async (request: FaultRequest): Promise<unknown> => {
    switch (request.op) {
      case 'status':
        return { url: stack.url, dynamoPid: stack.faults.dynamoPid(), pid: process.pid };
      case 'restart-dynamodb':
        return stack.faults.restartDynamo();
      case 'crash-stream-poller':
        return stack.faults.crashStreamPoller(request.waitForBatchMs);
      case 'refuse-deliveries':
        stack.faults.refuseDeliveries(request.on);
        return { on: request.on };
      case 'queue-counts':
        return stack.faults.queueCounts();
      case 'settle':
        await stack.settle();
        return { settled: true };
      default: {
        const _never: never = request;
        return _never;
      }
    }
  };
  process.on('message', (message: FaultRequest) => {
    run(message).then(
      (result) => send({ id: message.id, ok: true, result }),
      (error: unknown) =>
        send({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  // The channel must not keep a stopped stack alive, nor the stack outlive a parent that died.
  process.channel?.unref();
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  return true;
}
