/**
 * A value loaded on its first call and kept for the container's life (a secret, a module loaded on first use);
 * a failed load is not kept: the next call tries again. The asynchronous counterpart of events/built-once.ts.
 */
export function loadedOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}
