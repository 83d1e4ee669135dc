import type { LocalLog } from './dynamodb.ts';

/**
 * The local stand-in for the EventBridge schedule: runs the same publish-checkpoint handler
 * every `seconds`, one run at a time. Checkpoints go to `<dataDir>/checkpoints/`.
 */
export function startCheckpointTimer(options: {
  seconds: number;
  publish: () => Promise<{ id: string; treeSize: number }>;
  log: LocalLog;
}): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = running.then(() =>
      options.publish().then(
        (c) => options.log.info(`checkpoint ${c.id} over ${c.treeSize} streams`),
        (error: unknown) => options.log.warn(`checkpoint failed: ${String(error)}`),
      ),
    );
  };
  const timer = setInterval(tick, options.seconds * 1000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
