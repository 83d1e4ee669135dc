import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The Japanese font a printed report is set in, carried by the document itself: Noto Sans JP from
 * @fontsource/noto-sans-jp (SIL Open Font License), whose stylesheets split each weight into some 120
 * WOFF2 files by `unicode-range`. {@link embedPdfFonts} inlines, as data URLs, only the files that
 * cover a character of the document, so the PDF looks the same wherever Chromium runs: the Lambda
 * runtime has no CJK font at all (its Chromium, @sparticuz/chromium, brings Open Sans only), and the
 * local stack's system fonts vary from one machine to the next.
 */
export const PDF_FONT_FAMILY = 'Noto Sans JP';

/** The weights the report uses: body text and headings (`<b>`, `<th>`, `<h1>`…). */
const WEIGHTS = ['400', '700'] as const;

/** One `@font-face` of the package's stylesheets: its weight, WOFF2 file and code point ranges. */
interface FontFace {
  readonly weight: string;
  readonly file: string;
  readonly ranges: readonly (readonly [number, number])[];
}

/**
 * The directory of @fontsource/noto-sans-jp's stylesheets and `files/`: `CEPTOAR_PDF_FONTS` where the
 * deployment puts them elsewhere (the PDF layer in AWS), the installed package otherwise.
 */
export function pdfFontDir(): string {
  const configured = process.env.CEPTOAR_PDF_FONTS;
  if (configured) return configured;
  return dirname(createRequire(import.meta.url).resolve('@fontsource/noto-sans-jp/400.css'));
}

/** The stylesheet and WOFF2 files of {@link WEIGHTS}, relative to the font directory: what a deployment ships. */
export function pdfFontFiles(dir: string): string[] {
  return [...WEIGHTS.map((weight) => `${weight}.css`), ...fontFaces(dir).map((face) => face.file)];
}

const parsed = new Map<string, readonly FontFace[]>();

/** The `@font-face` rules of the weights' stylesheets in `dir` (read once per directory). */
function fontFaces(dir: string): readonly FontFace[] {
  const known = parsed.get(dir);
  if (known !== undefined) return known;
  const faces = WEIGHTS.flatMap((weight) =>
    [...readFileSync(join(dir, `${weight}.css`), 'utf8').matchAll(/@font-face\s*\{([^}]*)\}/g)].map(
      ([, rule = '']) => parseFace(weight, rule),
    ),
  );
  parsed.set(dir, faces);
  return faces;
}

function parseFace(weight: string, rule: string): FontFace {
  const file = /url\(\.\/(files\/[^)]+\.woff2)\)/.exec(rule)?.[1];
  const range = /unicode-range:\s*([^;]+);/.exec(rule)?.[1];
  if (file === undefined || range === undefined)
    throw new Error(`an @font-face without a woff2 file or range`);
  const ranges = range.split(',').map((part): [number, number] => {
    const [from = '', to] = part.trim().replace(/^U\+/i, '').split('-');
    return [Number.parseInt(from, 16), Number.parseInt(to ?? from, 16)];
  });
  return { weight, file, ranges };
}

/**
 * `html` with a stylesheet before `</head>` that declares {@link PDF_FONT_FAMILY} from the WOFF2 files
 * covering the document's characters, inlined. The document's own CSS names the family first.
 */
export function embedPdfFonts(html: string, dir: string = pdfFontDir()): string {
  const points = new Set<number>();
  for (const char of html) points.add(char.codePointAt(0) ?? 0);
  const sorted = Uint32Array.from(points).sort();
  const used = fontFaces(dir).filter((face) => face.ranges.some(([from, to]) => anyWithin(sorted, from, to)));
  const rules = used.map((face) => faceRule(dir, face));
  const style = `<style>${rules.join('\n')}</style>`;
  const head = html.indexOf('</head>');
  return head === -1 ? style + html : html.slice(0, head) + style + html.slice(head);
}

const rulesByFile = new Map<string, string>();

/**
 * A face's `@font-face` rule with its WOFF2 file inlined, read and encoded once per container: a warm one
 * prints the next report without reading the fonts again (the faces a report uses are some 30 files).
 */
function faceRule(dir: string, face: FontFace): string {
  const key = join(dir, face.file);
  let rule = rulesByFile.get(key);
  if (rule === undefined) {
    rule =
      `@font-face{font-family:'${PDF_FONT_FAMILY}';font-style:normal;font-weight:${face.weight};` +
      `src:url(data:font/woff2;base64,${readFileSync(key).toString('base64')}) format('woff2');` +
      `unicode-range:${face.ranges.map(([from, to]) => (from === to ? hex(from) : `${hex(from)}-${to.toString(16)}`)).join(',')}}`;
    rulesByFile.set(key, rule);
  }
  return rule;
}

/** Whether the sorted `points` hold one in [from, to]: the first point ≥ from, found by bisection, is ≤ to. */
function anyWithin(points: Uint32Array, from: number, to: number): boolean {
  let low = 0;
  let high = points.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((points[middle] ?? 0) < from) low = middle + 1;
    else high = middle;
  }
  return low < points.length && (points[low] ?? 0) <= to;
}

function hex(point: number): string {
  return `U+${point.toString(16)}`;
}
