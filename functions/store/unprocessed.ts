/** Rounds of a batch call (BatchGetItem, BatchWriteItem) before the items it leaves unprocessed fail it. */
export const BATCH_ATTEMPTS = 6;

/** The pause before round `attempt` (2 and on): 100, 200, 400, 800 ms, then 1 s. */
export const batchPauseMs = (attempt: number): number => Math.min(1000, 25 * 2 ** attempt);

/**
 * Sends a batch call, then again with whatever DynamoDB left unprocessed (it does under throttling,
 * with a 200 answer), after a growing pause, until nothing is left. After {@link BATCH_ATTEMPTS} rounds
 * it throws, naming `what`: the caller's retry (a stream batch handed over again, a request answered
 * 503) takes it from there. `send` returns the unprocessed part of what it was given.
 */
export async function untilProcessed<T>(
  items: readonly T[],
  send: (items: readonly T[]) => Promise<readonly T[] | undefined>,
  what: string,
): Promise<void> {
  let left: readonly T[] | undefined = items;
  for (let attempt = 1; left?.length; attempt++) {
    if (attempt > BATCH_ATTEMPTS)
      throw new Error(`${what}: items left unprocessed after ${BATCH_ATTEMPTS} rounds`);
    if (attempt > 1) await new Promise((r) => setTimeout(r, batchPauseMs(attempt)));
    left = await send(left);
  }
}
