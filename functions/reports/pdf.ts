import { NotImplementedError } from '../../events/errors.ts';

/**
 * Prints an HTML document to an A4 PDF with the system Chromium (playwright-core's `page.pdf`),
 * never a downloaded browser. Only where `CEPTOAR_PDF_CHROMIUM` names the binary (the local
 * stack sets it): the Lambda runtime carries no Chromium and no CJK fonts, so there the route
 * answers 501 and the HTML is the report (README, "Fiscal-year report").
 */
export async function printPdf(html: string): Promise<Buffer> {
  const executablePath = process.env.CEPTOAR_PDF_CHROMIUM;
  if (!executablePath)
    throw new NotImplementedError(
      'this deployment does not print PDFs (no Chromium); ask for text/html and print it from the browser',
    );
  // A name esbuild does not follow: playwright-core is a development dependency, in no Lambda bundle.
  const name = 'playwright-core';
  const { chromium } = (await import(name)) as typeof import('playwright-core');
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage();
    // The document is self-contained (inline CSS and SVG): nothing to fetch.
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
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
    await browser.close();
  }
}
