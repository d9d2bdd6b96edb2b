// CSV exports: the list's own URL with ?format=csv, fetched with the token (a plain link
// could not send it), then handed to the browser as a file download.
import { ApiError, fetchApi } from './http';

/** `path` with format=csv added to its query. */
export function csvUrl(path: string): string {
  const url = new URL(path, 'http://x');
  url.searchParams.delete('cursor');
  url.searchParams.delete('limit');
  url.searchParams.set('format', 'csv');
  return url.pathname + url.search;
}

/** Downloads `path` as CSV under `filename`; ApiError when the API does not answer CSV. */
export async function downloadCsv(path: string, filename: string): Promise<void> {
  const response = await fetchApi(csvUrl(path), { accept: 'text/csv' });
  const type = response.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('text/csv')) {
    throw new ApiError(406, 'Not Acceptable', 'CSV export is not available for this list');
  }
  saveFile(await response.blob(), filename);
}

/** Hands `blob` to the browser as a file download named `filename`. */
export function saveFile(blob: Blob, filename: string): void {
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = filename;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(href), 1000);
}
