// A tiny router on the History API. The API server falls back to index.html
// for unknown paths, so deep links such as /chauffeurs/123 load the app.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

import type { Provider } from './api/types';

export type Route =
  | { name: 'drivers' }
  | { name: 'overview' }
  | { name: 'driver'; provider: Provider; id: string }
  | { name: 'vehicles' }
  | { name: 'reports' }
  | { name: 'quality' }
  | { name: 'audit'; view: AuditView }
  | { name: 'auditEvent'; position: string }
  | { name: 'admin' }
  | { name: 'home' }
  | { name: 'notFound' };

/** The Audit page's views: the event log, the provider calls, the quarantined records. */
export type AuditView = 'events' | 'fetches' | 'quarantine';

const seg = encodeURIComponent;

export const paths = {
  drivers: () => '/chauffeurs',
  overview: () => '/vue-d-ensemble',
  /** Uber drivers keep the short /chauffeurs/<id> of the first version. */
  driver: (id: string, provider: Provider = 'uber') =>
    provider === 'uber' ? `/chauffeurs/${seg(id)}` : `/chauffeurs/${provider}/${seg(id)}`,
  vehicles: () => '/vehicules',
  reports: () => '/rapports',
  quality: () => '/qualite',
  audit: () => '/audit',
  auditFetches: () => '/audit/appels',
  auditQuarantine: () => '/audit/quarantaine',
  auditEvent: (position: number | string) => `/audit/${seg(String(position))}`,
  admin: () => '/admin',
};

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

const STATIC: Record<string, Route> = {
  '/': { name: 'home' },
  '/chauffeurs': { name: 'drivers' },
  '/vue-d-ensemble': { name: 'overview' },
  '/vehicules': { name: 'vehicles' },
  '/rapports': { name: 'reports' },
  '/qualite': { name: 'quality' },
  '/audit': { name: 'audit', view: 'events' },
  '/audit/appels': { name: 'audit', view: 'fetches' },
  '/audit/quarantaine': { name: 'audit', view: 'quarantine' },
  '/admin': { name: 'admin' },
};

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  const fixed = STATIC[path];
  if (fixed) return fixed;
  let m = /^\/chauffeurs\/(uber|bolt)\/([^/]+)$/.exec(path);
  if (m) {
    const id = decode(m[2]!);
    return id === null ? { name: 'notFound' } : { name: 'driver', provider: m[1] as Provider, id };
  }
  m = /^\/chauffeurs\/([^/]+)$/.exec(path);
  if (m) {
    const id = decode(m[1]!);
    return id === null ? { name: 'notFound' } : { name: 'driver', provider: 'uber', id };
  }
  m = /^\/audit\/(\d+)$/.exec(path);
  if (m) return { name: 'auditEvent', position: m[1]! };
  return { name: 'notFound' };
}

const listeners = new Set<() => void>();
let navigatedInApp = false;

/** True once the user has moved between pages without a full page load. */
export function hasNavigated(): boolean {
  return navigatedInApp;
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => {
    navigatedInApp = true;
  });
}

function notify(): void {
  navigatedInApp = true;
  for (const listener of [...listeners]) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const current = window.location.pathname + window.location.search;
  if (to === current && !options.replace) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}

export function usePathname(): string {
  return useSyncExternalStore(
    subscribe,
    () => window.location.pathname,
    () => '/',
  );
}

export function useRoute(): Route {
  return matchRoute(usePathname());
}

/** True for a plain left click that the router should handle itself. */
export function isPlainClick(event: MouseEvent): boolean {
  return (
    !event.defaultPrevented &&
    event.button === 0 &&
    !event.metaKey &&
    !event.ctrlKey &&
    !event.shiftKey &&
    !event.altKey
  );
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string };

/** An <a> that navigates without a reload (new tab / window still work). */
export function Link({ to, onClick, target, ...rest }: LinkProps) {
  return (
    <a
      {...rest}
      href={to}
      target={target}
      onClick={(event) => {
        onClick?.(event);
        if (!isPlainClick(event) || (target && target !== '_self')) return;
        event.preventDefault();
        navigate(to);
      }}
    />
  );
}
