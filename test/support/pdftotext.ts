import { execFileSync } from 'node:child_process';

/** pdfinfo's fields of a PDF (Pages, Page size…). */
export function pdfInfo(file: string): Record<string, string> {
  pdfText(file);
  const out = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  return Object.fromEntries(
    out.split('\n').flatMap((line) => {
      const i = line.indexOf(':');
      return i < 0 ? [] : [[line.slice(0, i).trim(), line.slice(i + 1).trim()]];
    }),
  );
}

/** The text of a PDF, by poppler-utils' pdftotext (layout kept); a clear message when it is missing. */
export function pdfText(file: string): string {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'pdftotext is missing: the report tests read the PDF back with poppler-utils (scripts/check-test-tools.sh installs it as root on Debian/Ubuntu; else sudo apt-get install poppler-utils)',
    );
  }
  return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

/** The fonts a PDF embeds, by poppler-utils' pdffonts: each font's name without its subset tag. */
export function pdfFonts(file: string): string[] {
  pdfText(file);
  const lines = execFileSync('pdffonts', [file], { encoding: 'utf8' }).split('\n').slice(2);
  return lines.flatMap((line) => {
    const name = line.split(/\s+/)[0];
    return name ? [name.replace(/^[A-Z]{6}\+/, '')] : [];
  });
}
