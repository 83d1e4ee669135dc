import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BuildOptions, build } from 'esbuild';
import { LAZY_MODULES, type LazyModuleName } from '../functions/runtime/lazy-module.ts';
import { sdkSchemaKeys } from './sdk-schema-keys.ts';

/**
 * The esbuild options of every function's bundle (an ESM file `index.mjs` with its source map), with
 * {@link HOUSE_ESBUILD_PLUGINS}: {@link houseBuild}. The bench (bench/bundles.ts) and the tests that run a
 * bundle build with it, so what they measure and run is what Lambda runs.
 */
export const HOUSE_ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  // CommonJS dependencies bundled into ESM still call require(); give them one.
  banner: {
    js: "import { createRequire as __houseCreateRequire } from 'node:module';const require = __houseCreateRequire(import.meta.url);",
  },
  minify: true,
  sourcemap: true,
  // The map gives positions in the sources, not their text: with NODE_OPTIONS=--enable-source-maps Node reads and
  // parses it at every cold start, and the sources' text was two thirds of it (report-incident's map 1.6 MB →
  // 0.5 MB, the import with source maps about 7 ms faster: bench/RESULTS.md, section 2). Stack traces still name
  // the source file, line and column; the text is in the repository.
  sourcesContent: false,
  outExtension: { '.js': '.mjs' },
  // Bundle the SDK we pin and test against instead of the runtime's copy, which drifts: nothing is external.
  external: [],
  // Every SDK client's default credential chain, reduced to the one link Lambda uses (the execution role's
  // variables): the other links and the STS/SSO clients they call are some 135 KB of every bundle.
  alias: { '@aws-sdk/credential-provider-node': './functions/runtime/lambda-credentials.ts' },
  // esbuild's per-file size report would drown the synth output; warnings and errors still show.
  logLevel: 'warning',
} as const satisfies BuildOptions;

/**
 * The plugins of every function's bundle, beside the options: esbuild runs plugins in its asynchronous API
 * only, so a build with them is {@link houseBuild} (the CDK app's one build runs it in a child process).
 */
export const HOUSE_ESBUILD_PLUGINS = [sdkSchemaKeys] as const;

/** An esbuild build with the house options and plugins, and `options` (entry points, output) on top. */
export const houseBuild = (options: BuildOptions) =>
  build({ ...HOUSE_ESBUILD_OPTIONS, plugins: [...HOUSE_ESBUILD_PLUGINS], ...options });

/**
 * Bundles the functions of one app in a single esbuild run: `functions/<name>.ts` → `<name>/index.mjs`
 * (+ `.map`) for every name, at the first function's asset staging. One run with every entry point parses
 * the modules the functions share once; CDK's NodejsFunction starts an esbuild process per function
 * (65 s of wall time for 65 functions on this project's 2-core machine, against some 8 s for one run).
 * Each bundle is self-contained (no code splitting), as Lambda needs. A function's lazy modules (its
 * manifest's `lazy`, functions/runtime/lazy-module.ts) are entries of the same run, written beside its
 * bundle as `<name>/<module>.mjs`, each self-contained too.
 */
export class HouseBundler {
  /** The one build's directory, once built. */
  private built: string | undefined;
  /** The functions whose bundle was moved out of it. */
  private readonly taken = new Set<string>();

  /** Every function's manifest name. */
  private readonly names: readonly string[];

  /** @param root the repository root (esbuild's working directory), @param specs every function's name and lazy modules. */
  constructor(
    private readonly root: string,
    private readonly specs: readonly { readonly name: string; readonly lazy?: readonly LazyModuleName[] }[],
  ) {
    this.names = specs.map((spec) => spec.name);
  }

  /** The asset of one function: staged (and hashed) by CDK from the directory this bundler writes. */
  code(name: string): lambda.AssetCode {
    if (!this.names.includes(name)) throw new Error(`${name}: not one of the bundler's functions`);
    const local: ILocalBundling = { tryBundle: (outputDir) => this.take(name, outputDir) };
    return lambda.Code.fromAsset(this.root, {
      // The bundle's own bytes name the asset, as NodejsFunction does: a change elsewhere in the repository
      // that does not reach the bundle deploys nothing.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never used: `local` always bundles, or throws. CDK needs an image to fall back on.
        image: DockerImage.fromRegistry('ceptoar-relay/local-esbuild-only'),
        // Part of CDK's asset cache key, which must differ per function.
        command: ['esbuild', `functions/${name}.ts`],
        local,
      },
    });
  }

  /** Moves `name`'s bundle to `outputDir` (CDK's staging directory), running the one esbuild build first. */
  private take(name: string, outputDir: string): true {
    if (this.built === undefined) {
      // Beside the staging directories (the cloud assembly), so the bundles move by rename, not by copy.
      const dir = mkdtempSync(join(outputDir, '..', 'house-bundles-'));
      // CDK's local bundling is synchronous and esbuild's synchronous API takes no plugins: the build runs in
      // a child node (infra/house-build.ts), which this waits for.
      execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(this.root, 'infra', 'house-build.ts'),
          JSON.stringify({ entryPoints: houseEntryPoints(this.specs), outdir: dir }),
        ],
        { cwd: this.root, stdio: ['ignore', 'inherit', 'inherit'] },
      );
      this.built = dir;
    }
    const from = join(this.built, name);
    // CDK made outputDir empty; a rename needs it gone.
    rmSync(outputDir, { recursive: true, force: true });
    try {
      renameSync(from, outputDir);
    } catch {
      cpSync(from, outputDir, { recursive: true });
    }
    this.taken.add(name);
    // The last one out removes the build's (now empty) directory.
    if (this.taken.size === this.names.length) rmSync(this.built, { recursive: true, force: true });
    return true;
  }
}

/** The esbuild entry points of some functions: `<name>/index` for each, and `<name>/<module>` for each lazy module. */
export function houseEntryPoints(
  specs: readonly { readonly name: string; readonly lazy?: readonly LazyModuleName[] }[],
): { in: string; out: string }[] {
  return specs.flatMap((spec) => [
    { in: `functions/${spec.name}.ts`, out: `${spec.name}/index` },
    ...(spec.lazy ?? []).map((module) => ({
      in: `functions/${LAZY_MODULES[module]}.ts`,
      out: `${spec.name}/${module}`,
    })),
  ]);
}
