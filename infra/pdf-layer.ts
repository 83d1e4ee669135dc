import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { pdfFontFiles } from '../functions/reports/pdf-fonts.ts';

/** Where Lambda mounts the layer; the printing function's `CEPTOAR_PDF_LAYER`. */
export const PDF_LAYER_MOUNT = '/opt';

/** The packages whose files the layer carries; their locked versions name the asset. */
const PACKAGES = ['@sparticuz/chromium', 'playwright-core', '@fontsource/noto-sans-jp'] as const;

/** An installed package's folder (not all of them export their package.json to a resolver). */
function packageDir(root: string, name: string): string {
  return join(root, 'node_modules', name);
}

/**
 * Writes the PDF layer's contents into `outDir`, from the installed packages (no download, no Docker):
 * - `chromium/`: @sparticuz/chromium's brotli files (Chromium's headless shell for Amazon Linux 2023 on
 *   x86_64, its libraries and fonts), which functions/reports/lambda-chromium.ts inflates into /tmp;
 * - `nodejs/node_modules/playwright-core/`: the driver (no dependencies of its own; it reads its own
 *   package files at run time, so it ships as installed, not bundled);
 * - `noto-sans-jp/`: the two weights' stylesheets and WOFF2 files that functions/reports/pdf-fonts.ts
 *   embeds in a document (8 MB of the package's 81 MB).
 */
export function stagePdfLayer(root: string, outDir: string): void {
  cpSync(join(packageDir(root, '@sparticuz/chromium'), 'bin'), join(outDir, 'chromium'), { recursive: true });
  cpSync(packageDir(root, 'playwright-core'), join(outDir, 'nodejs/node_modules/playwright-core'), {
    recursive: true,
  });
  const fonts = packageDir(root, '@fontsource/noto-sans-jp');
  for (const file of [...pdfFontFiles(fonts), 'LICENSE']) {
    mkdirSync(dirname(join(outDir, 'noto-sans-jp', file)), { recursive: true });
    cpSync(join(fonts, file), join(outDir, 'noto-sans-jp', file));
  }
}

/** The asset hash: the packages' versions (their files are what they are at a version) and this file. */
function layerHash(root: string): string {
  const versions = PACKAGES.map((name) => {
    const manifest = JSON.parse(readFileSync(join(packageDir(root, name), 'package.json'), 'utf8')) as {
      version: string;
    };
    return `${name}@${manifest.version}`;
  });
  return [...versions, readFileSync(new URL(import.meta.url), 'utf8')].join('\n');
}

/**
 * The layer a PDF-printing function runs with (functions/reports/pdf.ts): Chromium, playwright-core and
 * Noto Sans JP, some 90 MB unzipped of Lambda's 250 MB. x86_64 only: @sparticuz/chromium publishes no
 * arm64 build on npm, so a function with this layer runs on x86_64 (infra/house-function.ts).
 */
export class PdfLayer extends Construct {
  readonly layer: lambda.LayerVersion;

  constructor(
    scope: Construct,
    id: string,
    props: { readonly root: string; readonly runtime: lambda.Runtime },
  ) {
    super(scope, id);
    const { root } = props;
    const local: ILocalBundling = {
      tryBundle: (outputDir) => {
        stagePdfLayer(root, outputDir);
        return true;
      },
    };
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      description: 'Chromium (@sparticuz/chromium), playwright-core and Noto Sans JP for printing reports',
      compatibleArchitectures: [lambda.Architecture.X86_64],
      compatibleRuntimes: [props.runtime],
      code: lambda.Code.fromAsset(root, {
        // Hashing 90 MB of output at every synthesis is avoidable: the versions say what it holds.
        assetHashType: AssetHashType.CUSTOM,
        assetHash: layerHash(root),
        bundling: {
          // Never used: `local` always stages. CDK needs an image to fall back on.
          image: DockerImage.fromRegistry('ceptoar-relay/local-copy-only'),
          command: ['stage-pdf-layer'],
          local,
        },
      }),
    });
  }
}
