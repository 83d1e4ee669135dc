import { apiBlob, apiCall } from './api.ts';

/** Hands a file to the browser as a download. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Reads a report route as CSV and hands it to the browser as a download (the drill, exercise and survey reports). */
export async function downloadCsv(path: string, filename: string): Promise<void> {
  const csv = await apiCall<string>('GET', path, { accept: 'text/csv' });
  // With a BOM, spreadsheet programs read the Japanese names as UTF-8 (a CSV that has one keeps one).
  const bom = csv.startsWith('\ufeff') ? [] : ['\ufeff'];
  saveBlob(new Blob([...bom, csv], { type: 'text/csv;charset=utf-8' }), filename);
}

/** Reads a route as a file of another type (XLSX, PDF, minutes) and hands it to the browser as a download. */
export async function downloadFile(path: string, accept: string, filename: string): Promise<void> {
  saveBlob(await apiBlob(path, accept), filename);
}
