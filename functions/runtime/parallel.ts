/**
 * Runs `task` on every item with at most `limit` in flight, started in the items' order, and gives
 * the results in the items' order. A task that throws rejects the whole (the others already started
 * still run to their end); callers that must know which item failed catch inside `task`.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await task(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** {@link mapLimit} for tasks run for their effect. */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  await mapLimit(items, limit, task);
}
