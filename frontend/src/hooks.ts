import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';

function subscribeOnline(listener: () => void): () => void {
  window.addEventListener('online', listener);
  window.addEventListener('offline', listener);
  return () => {
    window.removeEventListener('online', listener);
    window.removeEventListener('offline', listener);
  };
}

/** navigator.onLine, kept current by the online/offline events. */
export function useOnline(): boolean {
  return useSyncExternalStore(
    subscribeOnline,
    () => navigator.onLine,
    () => true,
  );
}

/** Calls `callback` each time the browser goes from offline back to online. */
export function useOnReconnect(callback: () => void): void {
  const online = useOnline();
  const wasOnline = useRef(online);
  const latest = useRef(callback);
  latest.current = callback;
  useEffect(() => {
    if (online && !wasOnline.current) latest.current();
    wasOnline.current = online;
  }, [online]);
}

/** `value`, once it has stopped changing for `delayMs`. */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), delayMs);
    return () => window.clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

export type Load<T> =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'notFound'; error: unknown }
  | { status: 'ready'; data: T };

/**
 * Runs `load` when `key` changes (and on retry, and when the browser comes back online);
 * aborts the previous run. A 404 becomes 'notFound' so that a page can say
 * "unknown" or "not available yet" instead of showing an error.
 */
export function useLoad<T>(key: string, load: (signal: AbortSignal) => Promise<T>): [Load<T>, () => void] {
  const [state, setState] = useState<Load<T>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    latest.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ status: 'ready', data });
      },
      (error: unknown) => {
        if (controller.signal.aborted || (error as { name?: string })?.name === 'AbortError') return;
        const notFound = (error as { status?: number })?.status === 404;
        setState(notFound ? { status: 'notFound', error } : { status: 'error', error });
      },
    );
    return () => controller.abort();
  }, [key, attempt]);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  useOnReconnect(retry); // the offline banner promises fresh data on return
  return [state, retry];
}

/** Which page of a cursor-paged list is shown: the filters it belongs to and the cursors that led to it. */
export interface CursorStack<C> {
  key: string;
  cursors: C[];
}

interface CursorPages<C> {
  /** The stack in force for the current `key` (a fresh one when the key has changed). */
  position: CursorStack<C>;
  cursor: C;
  pageNumber: number;
  previous: () => void;
  push: (cursor: C) => void;
  reset: () => void;
}

export interface PagingOptions<C> {
  /** A remembered position; resumed when its key is the current one. */
  initial?: CursorStack<C> | null;
  /** Drop the old key's stack at once, so that coming back to the old filters starts from their first page too. */
  forgetOnChange?: boolean;
}

/** A stack of cursors for "previous / next"; a new `key` (other filters) starts again from `first`. */
function useCursorPages<C>(key: string, first: C, { initial = null, forgetOnChange = false }: PagingOptions<C>): CursorPages<C> {
  const [stack, setStack] = useState<CursorStack<C>>(() =>
    initial?.key === key ? initial : { key, cursors: [first] },
  );
  const position: CursorStack<C> = stack.key === key ? stack : { key, cursors: [first] };
  useEffect(() => {
    if (forgetOnChange && stack.key !== key) setStack(position);
  });
  const { cursors } = position;
  return {
    position,
    cursor: cursors[cursors.length - 1]!,
    pageNumber: cursors.length,
    previous: () => setStack({ key, cursors: cursors.length > 1 ? cursors.slice(0, -1) : cursors }),
    push: (cursor) => setStack({ key, cursors: [...cursors, cursor] }),
    reset: () => setStack({ key, cursors: [first] }),
  };
}

/** One page of a cursor-paged list and the moves to its neighbours (what PagedTable shows). */
export interface PagedList<P> {
  state: Load<P>;
  retry: () => void;
  pageNumber: number;
  hasNext: boolean;
  previous: () => void;
  next: () => void;
}

export interface PagedLoad<P, C> extends PagedList<P> {
  cursor: C;
  position: CursorStack<C>;
  /** Back to the first page. */
  reset: () => void;
}

/**
 * useLoad over a cursor-paged API: loads the page at the top of the cursor stack; `nextOf`
 * reads the following page's cursor from a loaded page (none on the last page).
 */
export function usePagedLoad<P, C>(
  key: string,
  first: C,
  load: (cursor: C, signal: AbortSignal) => Promise<P>,
  nextOf: (page: P) => C | null | undefined,
  options: PagingOptions<C> = {},
): PagedLoad<P, C> {
  const { push, ...pages } = useCursorPages(key, first, options);
  const [state, retry] = useLoad(JSON.stringify([key, pages.cursor]), (signal) => load(pages.cursor, signal));
  const after = state.status === 'ready' ? nextOf(state.data) : null;
  return { ...pages, state, retry, hasNext: Boolean(after), next: () => void (after && push(after)) };
}
