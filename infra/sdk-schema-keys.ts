import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/** An AWS SDK client's generated schema module (its own, or a nested client's under `submodules/`). */
export const SDK_SCHEMA_FILE =
  /[\\/]node_modules[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/](?:.+[\\/])?schemas[\\/]schemas_\d+\.js$/;

/**
 * Writes an SDK schema module's computed trait keys as the string literals they are.
 *
 * The SDK declares every operation and structure of a service as a module-level array, e.g.
 * `export var SendEmail$ = [9, n0, _SE, { [_h]: ["POST", "/v2/email/outbound-emails", 200] }, ...]`
 * with `const _h = "http"` at the top. esbuild 0.28 counts a computed key (`[_h]`) as a possible side
 * effect (a key's conversion to a string may run code), so it keeps every such declaration, used or not, and
 * all it names: the SES v2 client's whole schema file (49 KB of its 62 KB) in a bundle that sends one e-mail.
 * The same key written as `"http"` is the same object, and esbuild drops the unused declarations.
 * Only a key whose name is one of the module's own `const _x = "…";` strings is rewritten.
 */
export function literalSchemaKeys(source: string): string {
  const strings = new Map<string, string>();
  for (const m of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) {
    if (m[1] !== undefined && m[2] !== undefined) strings.set(m[1], m[2]);
  }
  return source.replace(/\[(_\w+)\]:/g, (key, name: string) => {
    const literal = strings.get(name);
    return literal === undefined ? key : `${literal}:`;
  });
}

/** The esbuild plugin applying {@link literalSchemaKeys} to every SDK schema module a bundle loads. */
export const sdkSchemaKeys: Plugin = {
  name: 'sdk-schema-keys',
  setup(build) {
    build.onLoad({ filter: SDK_SCHEMA_FILE }, async (args) => ({
      contents: literalSchemaKeys(await readFile(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};
