// The session: tokens in memory, mirrored in sessionStorage so that a reload of the tab
// keeps the session while closing the tab ends it.
//
// A session stays usable while its access token is valid OR its refresh token is: the HTTP
// layer (http.ts) trades the refresh token for a new pair before the access token runs out.
import type { Me, TokenResponse } from './types';

export const SESSION_STORAGE_KEY = 'fm.session';

export interface Session {
  token: string;
  /** Epoch milliseconds after which the access token is no longer valid. */
  expiresAt: number;
  refreshToken?: string;
  /** Epoch milliseconds after which the refresh token is no longer valid. */
  refreshExpiresAt?: number;
  me?: Me;
}

let current: Session | null | undefined; // undefined: not yet read from storage

function storage(): Storage | null {
  try {
    return typeof window !== 'undefined' ? window.sessionStorage : null;
  } catch {
    return null; // storage disabled (privacy mode, sandboxed iframe…)
  }
}

function readStoredSession(): Session | null {
  const raw = storage()?.getItem(SESSION_STORAGE_KEY);
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<Session>;
    if (typeof parsed.token !== 'string' || typeof parsed.expiresAt !== 'number') return null;
    return parsed as Session;
  } catch {
    return null;
  }
}

function writeSession(session: Session | null): void {
  current = session;
  const s = storage();
  if (!s) return;
  try {
    if (session) s.setItem(SESSION_STORAGE_KEY, JSON.stringify(session));
    else s.removeItem(SESSION_STORAGE_KEY);
  } catch {
    // Quota or disabled storage: the in-memory copy still works for this page.
  }
}

function stored(): Session | null {
  if (current === undefined) current = readStoredSession();
  return current;
}

/** True while the refresh token can still buy a new access token. */
export function canRefresh(session: Session | null, now = Date.now()): boolean {
  return Boolean(session?.refreshToken) && (session!.refreshExpiresAt ?? Infinity) > now;
}

function usable(session: Session | null): boolean {
  return session !== null && (session.expiresAt > Date.now() || canRefresh(session));
}

/** The current session, or null. A stored session that can no longer be used counts as none. */
export function getSession(): Session | null {
  const session = stored();
  return usable(session) ? session : null;
}

/** True when a session was stored but can no longer be used (access and refresh expired). */
export function hasExpiredSession(): boolean {
  const session = stored();
  return session !== null && !usable(session);
}

/** The access token while it is valid. */
export function getToken(): string | null {
  const session = stored();
  return session && session.expiresAt > Date.now() ? session.token : null;
}

export function setSession(token: string, expiresInSeconds: number, me?: Me): void {
  writeSession({ token, expiresAt: Date.now() + expiresInSeconds * 1000, me });
}

/** Stores a login or refresh answer, keeping the known user. */
export function storeTokens(answer: TokenResponse, me?: Me): void {
  const now = Date.now();
  writeSession({
    token: answer.access_token,
    expiresAt: now + answer.expires_in * 1000,
    refreshToken: answer.refresh_token ?? undefined,
    refreshExpiresAt: answer.refresh_expires_in ? now + answer.refresh_expires_in * 1000 : undefined,
    me: me ?? stored()?.me,
  });
}

export function rememberMe(me: Me): void {
  const session = stored();
  if (session) writeSession({ ...session, me });
}

/** The session as stored, usable or not (for the refresh and logout calls). */
export function storedSession(): Session | null {
  return stored();
}

export function clearSession(): void {
  writeSession(null);
}

type ExpiryListener = () => void;
const expiryListeners = new Set<ExpiryListener>();

/** Called after the session was found expired (a 401 that a refresh could not cure). */
export function onSessionExpired(listener: ExpiryListener): () => void {
  expiryListeners.add(listener);
  return () => {
    expiryListeners.delete(listener);
  };
}

export function sessionExpired(): void {
  clearSession();
  for (const listener of [...expiryListeners]) listener();
}

/** For tests: forget the in-memory copy so the next read goes to sessionStorage. */
export function resetSessionCacheForTests(): void {
  current = undefined;
  expiryListeners.clear();
}
