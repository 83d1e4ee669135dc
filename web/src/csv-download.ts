import { apiCall } from './api.ts';

/** Reads a report route as CSV and hands it to the browser as a download (the drill and exercise reports). */
export async function downloadCsv(path: string, filename: string): Promise<void> {
  const csv = await apiCall<string>('GET', path, { accept: 'text/csv' });
  // With a BOM, spreadsheet programs read the Japanese names as UTF-8.
  const url = URL.createObjectURL(new Blob(['\ufeff', csv], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
