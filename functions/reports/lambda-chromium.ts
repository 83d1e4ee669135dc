import chromium from '@sparticuz/chromium';

/**
 * The Chromium of the Lambda runtime, loaded on first use (runtime/lazy-module.ts: the `pdf-chromium`
 * module): @sparticuz/chromium's headless shell for Amazon Linux 2023, whose brotli files the PDF layer
 * (infra/pdf-layer.ts) carries. The first call of a container inflates them into /tmp (some 1.6 s here);
 * later calls find the binary there. On Lambda the module also points fontconfig and the dynamic linker
 * at what it inflates (its own `setupLambdaEnvironment`, run on import).
 */
export async function lambdaChromium(binDir: string): Promise<{ executablePath: string; args: string[] }> {
  // No WebGL: a printed report needs no GPU, and the SwiftShader files then stay unused.
  chromium.setGraphicsMode = false;
  return { executablePath: await chromium.executablePath(binDir), args: chromium.args };
}
