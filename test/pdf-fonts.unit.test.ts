import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embedPdfFonts, PDF_FONT_FAMILY, pdfFontDir, pdfFontFiles } from '../functions/reports/pdf-fonts.ts';

/** The data URLs' decoded bytes of each embedded face, in order. */
function embedded(html: string): Buffer[] {
  return [...html.matchAll(/base64,([A-Za-z0-9+/=]+)\)/g)].map(([, b64 = '']) => Buffer.from(b64, 'base64'));
}

describe('the fonts a printed report carries', () => {
  const dir = pdfFontDir();

  it('ships two weights: their stylesheets and every WOFF2 file they name', () => {
    const files = pdfFontFiles(dir);
    expect(files.slice(0, 2)).toEqual(['400.css', '700.css']);
    expect(files.length).toBeGreaterThan(200);
    for (const file of files.slice(2))
      expect(file).toMatch(/^files\/noto-sans-jp-.*-(400|700)-normal\.woff2$/);
  });

  it('embeds only the files that cover a character of the document, before </head>', () => {
    const latin = embedPdfFonts('<html><head><title>t</title></head><body>Report</body></html>', dir);
    const japanese = embedPdfFonts('<html><head></head><body>化学セプター 年度活動報告</body></html>', dir);
    // Of 250 files: ASCII is in a few per weight (the space is in the kana file's range too); the Japanese
    // text's kanji spread over more.
    expect(embedded(latin).length).toBeGreaterThanOrEqual(2);
    expect(embedded(latin).length).toBeLessThanOrEqual(10);
    expect(embedded(japanese).length).toBeGreaterThan(embedded(latin).length);
    expect(embedded(japanese).length).toBeLessThan(40);
    // Each is a real WOFF2 file of the package, byte for byte.
    const first = embedded(latin)[0];
    expect(first?.subarray(0, 4).toString('latin1')).toBe('wOF2');
    const names = pdfFontFiles(dir).slice(2);
    expect(names.some((name) => readFileSync(join(dir, name)).equals(first ?? Buffer.alloc(0)))).toBe(true);
    expect(japanese.indexOf('<style>@font-face')).toBeLessThan(japanese.indexOf('</head>'));
    expect(japanese).toContain(`font-family:'${PDF_FONT_FAMILY}'`);
    expect(japanese).toContain('font-weight:700');
    expect(japanese.endsWith('<body>化学セプター 年度活動報告</body></html>')).toBe(true);
  });

  it('leaves a document with nothing to set unchanged but for an empty stylesheet', () => {
    expect(embedPdfFonts('<html><head></head></html>', dir)).toContain('<style>');
  });
});
