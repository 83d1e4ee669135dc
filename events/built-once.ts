/**
 * A value built on its first call and kept: for zod schemas that most of the functions importing their module
 * never use (a request body that one route parses, read by every function that reads the same streams).
 * Building zod schemas at import is a measurable part of a cold start (bench/RESULTS.md, section 2).
 */
export function builtOnce<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}
