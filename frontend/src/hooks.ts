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
