/**
 * @module admin/reports/csvDownload
 * Saves a CSV export the API returned as a file: the bytes as they came (UTF-8 with the BOM
 * that lets spreadsheet programs read non-Latin names), through a temporary object URL and a
 * download link, so the browser's own download handling applies.
 */
import type { RawResult } from '@remote-help/protocol';

/** Starts the download of `file` under `fileName`. */
export function saveFile(file: RawResult, fileName: string): void {
  const blob = new Blob([file.body as Uint8Array<ArrayBuffer>], { type: file.contentType || 'text/csv' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the file once the click is handled; the URL can go a little later.
  window.setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
