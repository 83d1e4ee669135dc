/**
 * A value built on its first call and kept: for zod schemas that most of the functions importing their module
 * never use (a request body that one route parses, read by every function that reads the same streams).
 * Building zod schemas at import is a measurable part of a cold start (bench/RESULTS.md, section 2).
 * Mark each module-level call `/* @__PURE__ *\/ builtOnce(...)`: esbuild keeps a call it cannot prove free of
 * side effects, and with it the builder and every schema it names, in every bundle that imports the module
 * (esbuild 0.28 ignores `@__NO_SIDE_EFFECTS__` on this declaration).
 */
export function builtOnce<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}
