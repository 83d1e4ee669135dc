/**
 * The CDK app's one esbuild run (infra/bundling.ts, HouseBundler), in a node of its own: esbuild's plugins
 * need its asynchronous API, and CDK's local bundling waits synchronously. Argument: a JSON object with
 * the entry points and the output directory; the working directory is the repository's root.
 */
import { houseBuild } from './bundling.ts';

const { entryPoints, outdir } = JSON.parse(process.argv[2] ?? '') as {
  entryPoints: { in: string; out: string }[];
  outdir: string;
};
await houseBuild({ absWorkingDir: process.cwd(), entryPoints, outdir });
