// Bundled by test/report-pdf-lambda.int.test.ts with the house options, beside its `pdf-chromium` lazy module,
// and run as Lambda would run the annual-report function: printPdf must find Chromium through the PDF layer.
import { readFileSync, writeFileSync } from 'node:fs';
import { printPdf } from '../../functions/reports/pdf.ts';

const [htmlFile, pdfFile] = process.argv.slice(2);
if (htmlFile === undefined || pdfFile === undefined) throw new Error('usage: pdf-probe HTML PDF');
const started = performance.now();
writeFileSync(pdfFile, await printPdf(readFileSync(htmlFile, 'utf8')));
console.log(JSON.stringify({ ms: Math.round(performance.now() - started) }));
