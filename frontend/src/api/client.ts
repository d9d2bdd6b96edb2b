// Typed client for the fleet API (same origin: relative URLs only).
//
// The access token lives in memory and is mirrored in sessionStorage so that a
// reload of the tab keeps the session, while closing the tab ends it.
// Errors come back as RFC 9457 problem+json and are turned into ApiError.
// A 401 on any call except login clears the session and notifies the
// listeners registered with onSessionExpired (the app shows the login page).

export type Role = 'admin' | 'manager' | 'viewer' | 'auditor';

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
}

export interface Me {
  user_id: string;
  email: string;
  org_id: string;
  role: Role;
}

export interface Driver {
  driver_id: string;
  provider: string;
  account_id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  status: string | null;
  vehicle_ids: string[];
  updated_at: string;
}

export interface DriverPage {
  items: Driver[];
  next_cursor: string | null;
}

export interface ListDriversParams {
  limit?: number;
  cursor?: string | null;
  q?: string;
  signal?: AbortSignal;
}

/** An error answered by the API (status >= 400) or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly type: string;

  constructor(status: number, title: string, detail = '', type = 'about:blank') {
    super(detail ? `${status} ${title}: ${detail}` : `${status} ${title}`);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.type = type;
  }

  /** True when the request never got an HTTP answer (offline, DNS, CORS, …). */
  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError'
  );
}

// ---------------------------------------------------------------------------
// Session (token in memory + sessionStorage)

export const SESSION_STORAGE_KEY = 'fm.session';

export interface Session {
  token: string;
  /** Epoch milliseconds after which the token is no longer valid. */
  expiresAt: number;
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
    return { token: parsed.token, expiresAt: parsed.expiresAt, me: parsed.me };
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

/** The current session, or null. An expired stored session counts as none. */
export function getSession(): Session | null {
  if (current === undefined) current = readStoredSession();
  if (current && current.expiresAt <= Date.now()) return null;
  return current;
}

/** True when a session was stored but its token has expired. */
export function hasExpiredSession(): boolean {
  if (current === undefined) current = readStoredSession();
  return current !== null && current.expiresAt <= Date.now();
}

export function getToken(): string | null {
  return getSession()?.token ?? null;
}

export function setSession(token: string, expiresInSeconds: number, me?: Me): void {
  writeSession({ token, expiresAt: Date.now() + expiresInSeconds * 1000, me });
}

export function clearSession(): void {
  writeSession(null);
}

function rememberMe(me: Me): void {
  const session = getSession();
  if (session) writeSession({ ...session, me });
}

type ExpiryListener = () => void;
const expiryListeners = new Set<ExpiryListener>();

/** Called after a 401 on an authenticated call has cleared the session. */
export function onSessionExpired(listener: ExpiryListener): () => void {
  expiryListeners.add(listener);
  return () => {
    expiryListeners.delete(listener);
  };
}

function sessionExpired(): void {
  clearSession();
  for (const listener of [...expiryListeners]) listener();
}

// ---------------------------------------------------------------------------
// HTTP

function isJson(contentType: string | null): boolean {
  if (!contentType) return false;
  const mime = contentType.split(';')[0]!.trim().toLowerCase();
  return mime === 'application/json' || mime.endsWith('+json');
}

/** Turns an error Response (ideally problem+json) into an ApiError. */
export async function toApiError(response: Response): Promise<ApiError> {
  const fallbackTitle = response.statusText || `HTTP ${response.status}`;
  let body: unknown = null;
  if (isJson(response.headers.get('content-type'))) {
    try {
      body = await response.json();
    } catch {
      body = null;
    }
  }
  if (body && typeof body === 'object') {
    const p = body as Record<string, unknown>;
    const title = typeof p.title === 'string' && p.title ? p.title : fallbackTitle;
    const detail = typeof p.detail === 'string' ? p.detail : '';
    const type = typeof p.type === 'string' && p.type ? p.type : 'about:blank';
    const status = typeof p.status === 'number' ? p.status : response.status;
    return new ApiError(status, title, detail, type);
  }
  return new ApiError(response.status, fallbackTitle);
}

interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  signal?: AbortSignal;
  /** Send the bearer token and treat a 401 as an expired session (default true). */
  authenticated?: boolean;
}

async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, signal, authenticated = true } = options;
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (authenticated) {
    const token = getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
  }

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      credentials: 'same-origin',
    });
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw new ApiError(0, 'Network error', error instanceof Error ? error.message : String(error));
  }

  if (!response.ok) {
    const error = await toApiError(response);
    if (authenticated && response.status === 401) sessionExpired();
    throw error;
  }
  return (await response.json()) as T;
}

// ---------------------------------------------------------------------------
// Endpoints

/** POST /auth/login; stores the token on success. A 401 here does not expire anything. */
export async function login(email: string, password: string): Promise<TokenResponse> {
  const token = await request<TokenResponse>('/auth/login', {
    method: 'POST',
    body: { email, password },
    authenticated: false,
  });
  setSession(token.access_token, token.expires_in);
  return token;
}

/** GET /auth/me; remembered with the session so a reload shows the user at once. */
export async function getMe(signal?: AbortSignal): Promise<Me> {
  const me = await request<Me>('/auth/me', { signal });
  rememberMe(me);
  return me;
}

export function logout(): void {
  clearSession();
}

export function driversQuery(params: Omit<ListDriversParams, 'signal'>): string {
  const search = new URLSearchParams();
  search.set('limit', String(params.limit ?? 50));
  if (params.cursor) search.set('cursor', params.cursor);
  const q = params.q?.trim();
  if (q) search.set('q', q);
  return search.toString();
}

/** GET /fleet/drivers with server-side cursor pagination and search. */
export function listDrivers(params: ListDriversParams = {}): Promise<DriverPage> {
  return request<DriverPage>(`/fleet/drivers?${driversQuery(params)}`, { signal: params.signal });
}

/** GET /fleet/drivers/{driver_id}; 404 ApiError when unknown. */
export function getDriver(driverId: string, signal?: AbortSignal): Promise<Driver> {
  return request<Driver>(`/fleet/drivers/${encodeURIComponent(driverId)}`, { signal });
}

/** For tests: forget the in-memory copy so the next read goes to sessionStorage. */
export function resetSessionCacheForTests(): void {
  current = undefined;
  expiryListeners.clear();
}
