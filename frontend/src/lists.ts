// Lists over one or both providers. With "Tous", each provider keeps its own cursor and
// one page shows the next page of each, merged and sorted: the API has no merged list,
// and both lists are already sorted, so merging page by page keeps a sensible order.
import { ApiError } from './api/http';
import type { Page, Provider } from './api/types';
import { usePagedLoad, type PagedLoad, type PagingOptions } from './hooks';

/** Cursor per provider still to read (null = its first page); a missing key = done. */
export type MultiCursor = Partial<Record<Provider, string | null>>;

export interface MergedPage<T> {
  items: T[];
  next: MultiCursor | null;
  /** Providers whose list the API does not have (404): left out of a merged list. */
  unavailable: Provider[];
}

export function firstCursor(providers: Provider[]): MultiCursor {
  return Object.fromEntries(providers.map((p) => [p, null])) as MultiCursor;
}

export type FetchPage<T> = (provider: Provider, cursor: string | null, signal: AbortSignal) => Promise<Page<T>>;

/**
 * Reads one page of each provider in `cursor` and merges them by `sortKey`. A 404 from one
 * provider of several leaves it out (listed in `unavailable`); from the only one, it throws.
 */
export async function loadMerged<T>(
  cursor: MultiCursor,
  fetchPage: FetchPage<T>,
  sortKey: (item: T) => string,
  signal: AbortSignal,
): Promise<MergedPage<T>> {
  const providers = Object.keys(cursor) as Provider[];
  const results = await Promise.allSettled(providers.map((p) => fetchPage(p, cursor[p] ?? null, signal)));
  const merged: MergedPage<T> = { items: [], next: null, unavailable: [] };
  const next: MultiCursor = {};
  results.forEach((result, i) => {
    const provider = providers[i]!;
    if (result.status === 'rejected') {
      const notFound = result.reason instanceof ApiError && result.reason.isNotFound;
      if (!notFound || providers.length === 1) throw result.reason;
      merged.unavailable.push(provider);
      return;
    }
    merged.items.push(...result.value.items);
    if (result.value.next_cursor) next[provider] = result.value.next_cursor;
  });
  if (providers.length > 1) {
    const collator = new Intl.Collator('fr', { sensitivity: 'base', numeric: true });
    merged.items.sort((a, b) => collator.compare(sortKey(a), sortKey(b)));
  }
  merged.next = Object.keys(next).length ? next : null;
  return merged;
}

/** usePagedLoad over `providers`, one page of each merged (see loadMerged); `key` names the filters. */
export function useMergedPages<T>(
  key: string,
  providers: Provider[],
  fetchPage: FetchPage<T>,
  sortKey: (item: T) => string,
  options?: PagingOptions<MultiCursor>,
): PagedLoad<MergedPage<T>, MultiCursor> {
  return usePagedLoad(
    key,
    firstCursor(providers),
    (cursor, signal) => loadMerged(cursor, fetchPage, sortKey, signal),
    (page) => page.next,
    options,
  );
}
