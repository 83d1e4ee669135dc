/**
 * Runs `task` on every item with at most `limit` in flight, started in the items' order. A task that
 * throws rejects the whole (the others already started still run to their end); callers that must
 * know which item failed catch inside `task`.
 */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) await task(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
