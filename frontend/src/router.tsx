// The dashboard's addresses, on react-router (declarative mode: <BrowserRouter>, <Routes> in
// routes.tsx). The API server falls back to index.html for unknown paths, so deep links such
// as /chauffeurs/123 load the app. Pages build URLs with `paths`, never by hand.
import type { MouseEvent } from 'react';
import { useLocation } from 'react-router';

import type { Provider } from './api/types';

export { BrowserRouter, Link, NavLink, useNavigate } from 'react-router';

/** The Audit page's views: the event log, the provider calls, the quarantined records. */
export type AuditView = 'events' | 'fetches' | 'quarantine';

const seg = encodeURIComponent;

export const paths = {
  /** The people (chauffeurs across Uber and Bolt) and the accounts still to link. */
  drivers: () => '/chauffeurs',
  /** The platform accounts, per platform (the provider switch chooses). */
  accounts: () => '/chauffeurs/comptes',
  person: (id: string) => `/chauffeurs/personnes/${seg(id)}`,
  suggestions: () => '/chauffeurs/suggestions',
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
  /** Weekly pay: every person's statement of a week (this week without one). */
  pay: (week?: string | null) => (week ? `/paie?semaine=${seg(week)}` : '/paie'),
  /** One person's statement of a week: `<week>_<person id>`. */
  statement: (settlementId: string) => `/paie/${seg(settlementId)}`,
};

let navigatedInApp = false;

/**
 * Notes that the user has moved between pages without a full page load: react-router gives
 * the location of the page load the key 'default', and every later one a key of its own.
 * Called while the shell renders, so the new page's effects (PageHeading) already see it.
 */
export function useNavigationNote(): void {
  if (useLocation().key !== 'default') navigatedInApp = true;
}

/** True once the user has moved between pages without a full page load (the heading then takes the focus). */
export function hasNavigated(): boolean {
  return navigatedInApp;
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
