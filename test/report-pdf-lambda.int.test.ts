import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAnnualReport } from '../functions/reports/annual-report.ts';
import { renderAnnualReportHtml } from '../functions/reports/annual-report-html.ts';
import { LAZY_MODULES } from '../functions/runtime/lazy-module.ts';
import { houseBuild } from '../infra/bundling.ts';
import { REPO_ROOT } from '../infra/house-function.ts';
import { stagePdfLayer } from '../infra/pdf-layer.ts';
import { inputs } from './support/annual-report-inputs.ts';
import { pdfFonts, pdfInfo, pdfText } from './support/pdftotext.ts';

// The annual-report function prints in AWS with the PDF layer's Chromium (@sparticuz/chromium) and the fonts the
// document carries. This file runs that path on this machine: the layer staged by the code CDK's asset bundling
// calls, the printing code bundled with the house options beside its lazy module, and a fresh node process with
// Lambda's variables, so @sparticuz/chromium inflates into /tmp and sets up fontconfig and the libraries as it
// does on Lambda (whose fontconfig has Open Sans alone: no CJK font but the embedded one).
const scratch = mkdtempSync(join(tmpdir(), 'ceptoar-pdf-lambda-'));
// What @sparticuz/chromium inflates into Lambda's /tmp (fonts.conf names /tmp/fonts, so it must be /tmp), and
// fontconfig's cache that fonts.conf puts there: removed afterwards unless it was there before.
const INFLATED = [
  'chromium',
  'fonts',
  'al2023',
  'libEGL.so',
  'libGLESv2.so',
  'libvk_swiftshader.so',
  'libvulkan.so.1',
  'vk_swiftshader_icd.json',
  'fonts-cache',
];
const before = new Set(INFLATED.filter((name) => existsSync(join('/tmp', name))));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  for (const name of INFLATED)
    if (!before.has(name)) rmSync(join('/tmp', name), { recursive: true, force: true });
});

function bytesUnder(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}

describe('the PDF in AWS (Lambda emulated: the PDF layer, the bundle, a fresh process)', () => {
  it('prints the fiscal-year report on A4 with its Japanese in the embedded Noto Sans JP', async () => {
    const layer = join(scratch, 'layer');
    stagePdfLayer(REPO_ROOT, layer);
    const task = join(scratch, 'task');
    await houseBuild({
      absWorkingDir: REPO_ROOT,
      entryPoints: [
        { in: 'test/support/pdf-probe.ts', out: 'index' },
        { in: `functions/${LAZY_MODULES['pdf-chromium']}.ts`, out: 'pdf-chromium' },
      ],
      outdir: task,
      logLevel: 'error',
    });
    // Lambda's limit on a function and its layers, unzipped.
    expect(bytesUnder(layer) + bytesUnder(task)).toBeLessThan(250 * 1024 * 1024);

    const html = join(scratch, 'report.html');
    writeFileSync(html, renderAnnualReportHtml(buildAnnualReport(inputs()), 'ja'));
    const pdf = join(scratch, 'report.pdf');
    execFileSync(process.execPath, [join(task, 'index.mjs'), html, pdf], {
      cwd: task,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        // What the stack gives the function (infra/house-function.ts), the mount point moved to the scratch folder.
        CEPTOAR_PDF_LAYER: layer,
        CEPTOAR_PDF_FONTS: join(layer, 'noto-sans-jp'),
      },
    });

    const text = pdfText(pdf).replace(/\s+/g, '');
    for (const figure of [
      '2015年度活動報告',
      '11社',
      '情報セキュリティWGを本年度3回開催',
      '１日以内の情報伝達率90.9%',
    ])
      expect(text).toContain(figure);
    expect(pdfInfo(pdf)['Page size']).toMatch(/\(A4\)/);
    // The document's every glyph from its own font; the runtime's Open Sans only in the page-number footer,
    // which Chromium renders apart from the document (its template gets none of the page's fonts).
    const fonts = pdfFonts(pdf);
    expect(fonts.filter((font) => font.startsWith('NotoSansJP')).length).toBeGreaterThan(10);
    expect(fonts.filter((font) => !font.startsWith('NotoSansJP'))).toEqual(['OpenSans-Regular']);
  }, 120_000);
});
