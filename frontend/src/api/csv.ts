// CSV exports: a list's own route with format=csv, fetched with the token (a plain link could
// not send it), then handed to the browser as a file download. A CsvFile names the route and
// its filters in the API's own types, so an export of a route or filter that does not exist
// fails the type check like any other call.
import { api, ApiError } from './http';
import type { paths } from './schema';

type GetPath = { [P in keyof paths]: paths[P] extends { get: object } ? P : never }[keyof paths];
type QueryOf<P extends GetPath> = NonNullable<paths[P]['get']['parameters']['query']>;
/** The routes whose list answers CSV (they take `format`). */
export type CsvPath = { [P in GetPath]: 'format' extends keyof QueryOf<P> ? P : never }[GetPath];
type PathParamsOf<P extends CsvPath> = paths[P]['get']['parameters'] extends { path: infer A }
  ? { pathParams: A }
  : { pathParams?: never };

/** One CSV download: a list route, its filters (every row that matches: no page), a file name. */
export type CsvFile = {
  [P in CsvPath]: {
    path: P;
    query?: Omit<QueryOf<P>, 'format' | 'cursor' | 'limit'>;
    filename: string;
  } & PathParamsOf<P>;
}[CsvPath];

/** Downloads `file` as CSV; ApiError when the API does not answer CSV. */
export async function downloadCsv(file: CsvFile): Promise<void> {
  // The union of routes is checked where the CsvFile is written; one call covers them all.
  const get = api.GET as (path: string, init: object) => Promise<{ data?: Blob; response: Response }>;
  const { data, response } = await get(file.path, {
    params: { path: file.pathParams, query: { ...file.query, format: 'csv' } },
    headers: { Accept: 'text/csv' },
    parseAs: 'blob',
  });
  const type = response.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('text/csv') || !data) {
    throw new ApiError(406, 'Not Acceptable', 'CSV export is not available for this list');
  }
  saveFile(data, file.filename);
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
