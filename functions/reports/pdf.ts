import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NotImplementedError } from '../../events/errors.ts';
import { importLazy } from '../runtime/lazy-module.ts';
import { embedPdfFonts } from './pdf-fonts.ts';

type Playwright = typeof import('playwright-core');
type LambdaChromium = typeof import('./lambda-chromium.ts');

/** How this deployment starts Chromium: which binary, with which flags, driven by which playwright-core. */
interface PdfBrowser {
  readonly executablePath: string;
  readonly args: readonly string[];
  readonly playwright: Playwright;
}

/**
 * The Chromium this runtime prints with, or null where there is none:
 * - `CEPTOAR_PDF_CHROMIUM` names a binary (the local stack: the system Chromium, never a downloaded
 *   one), driven by the installed playwright-core (a development dependency, in no bundle);
 * - `CEPTOAR_PDF_LAYER` names the PDF layer's mount point (AWS: `/opt`, infra/pdf-layer.ts), which
 *   carries @sparticuz/chromium's files and playwright-core; the code that inflates them is the
 *   function's lazy `pdf-chromium` module.
 */
async function pdfBrowser(): Promise<PdfBrowser | null> {
  const system = process.env.CEPTOAR_PDF_CHROMIUM;
  if (system) {
    // The installed package, found by a resolver esbuild does not follow into the bundle.
    const installed = dirname(createRequire(import.meta.url).resolve('playwright-core/package.json'));
    return {
      executablePath: system,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      playwright: await playwrightIn(installed),
    };
  }
  const layer = process.env.CEPTOAR_PDF_LAYER;
  if (!layer) return null;
  const { lambdaChromium } = await importLazy<LambdaChromium>('pdf-chromium');
  const { executablePath, args } = await lambdaChromium(join(layer, 'chromium'));
  return {
    executablePath,
    args,
    playwright: await playwrightIn(join(layer, 'nodejs/node_modules/playwright-core')),
  };
}

/** playwright-core's ES module entry in the package folder `dir`. */
async function playwrightIn(dir: string): Promise<Playwright> {
  return (await import(/* @vite-ignore */ pathToFileURL(join(dir, 'index.mjs')).href)) as Playwright;
}

/**
 * Prints an HTML document to an A4 PDF with Chromium (playwright-core's `page.pdf`), its Japanese set
 * in the Noto Sans JP the document carries (pdf-fonts.ts), so the local stack and AWS print the same.
 * Where the runtime has no Chromium (neither variable set) the route answers 501 and the HTML is the
 * report (README, "Fiscal-year report").
 */
export async function printPdf(html: string): Promise<Buffer> {
  const browser = await pdfBrowser();
  if (browser === null)
    throw new NotImplementedError(
      'this deployment does not print PDFs (no Chromium); ask for text/html and print it from the browser',
    );
  const printed = embedPdfFonts(html);
  const instance = await browser.playwright.chromium.launch({
    executablePath: browser.executablePath,
    headless: true,
    args: [...browser.args],
  });
  try {
    const page = await instance.newPage();
    // The document is self-contained (inline CSS, SVG and fonts as data URLs): nothing to fetch.
    await page.route('**/*', (route) => route.abort());
    await page.setContent(printed, { waitUntil: 'load' });
    // Web fonts load asynchronously, data URLs too: print once every face in use has loaded.
    await page.evaluate('document.fonts.ready.then(() => true)');
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      preferCSSPageSize: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate:
        '<div style="font-size:8px;width:100%;text-align:center;color:#4a4a4a"><span class="pageNumber"></span> / <span class="totalPages"></span></div>',
    });
  } finally {
    await instance.close();
  }
}
