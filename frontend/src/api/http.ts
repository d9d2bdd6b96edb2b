// HTTP to the API, with silent token refresh. The API is the page's own origin, or the URL
// set at build time in VITE_API_BASE_URL for a dashboard hosted apart (the API must then list
// this dashboard's origin in FLEET_CORS_ORIGINS).
//
// Errors:  ApiError (status >= 400 from the API, or 0 when no answer came back)
//          AbortError passes through untouched (the caller cancelled).
//
// Refresh: before a call whose access token ends within REFRESH_MARGIN_MS, and once after a
// 401, the refresh token is traded for a new pair (POST /auth/refresh rotates it). Concurrent
// calls share one refresh: the server rotates the refresh token, so a second refresh with
// the old one would be refused and end the session. When the refresh is refused, the session
// is expired and the listeners of onSessionExpired show the login page with its message.
import createClient from 'openapi-fetch';
import type { paths } from './schema';
import {
  canRefresh,
  getToken,
  sessionExpired,
  storedSession,
  storeTokens,
} from './session';
import type { TokenResponse } from './types';

export const REFRESH_MARGIN_MS = 60_000;

/** Where the API is: '' for the page's own origin, else VITE_API_BASE_URL without its final '/'. */
const API_URL = String(import.meta.env.VITE_API_BASE_URL ?? '').replace(/\/+$/, '');

/** An error answered by the API (status >= 400) or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly type: string;
  /** The problem's `errors` (a 409 of a people decision names the other person there). */
  readonly errors: Record<string, unknown>[];

  constructor(status: number, title: string, detail = '', type = 'about:blank', errors: Record<string, unknown>[] = []) {
    super(detail ? `${status} ${title}: ${detail}` : `${status} ${title}`);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.type = type;
    this.errors = errors;
  }

  /** True when the request never got an HTTP answer (offline, DNS, CORS, …). */
  get isNetworkError(): boolean {
    return this.status === 0;
  }

  /** True for a route the API does not have (yet): the page says "not available". */
  get isNotFound(): boolean {
    return this.status === 404;
  }
}

export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

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
    body = await response.json().catch(() => null);
  }
  if (body && typeof body === 'object') {
    const p = body as Record<string, unknown>;
    const title = typeof p.title === 'string' && p.title ? p.title : fallbackTitle;
    const detail = typeof p.detail === 'string' ? p.detail : '';
    const type = typeof p.type === 'string' && p.type ? p.type : 'about:blank';
    const status = typeof p.status === 'number' ? p.status : response.status;
    const errors = Array.isArray(p.errors) ? p.errors.filter((e): e is Record<string, unknown> => !!e && typeof e === 'object') : [];
    return new ApiError(status, title, detail, type, errors);
  }
  return new ApiError(response.status, fallbackTitle);
}

export interface RequestOptions {
  method?: string;
  /** The body, already serialised as JSON. */
  body?: string;
  signal?: AbortSignal;
  accept?: string;
  /** Send the bearer token, refresh it and treat a lasting 401 as an expired session (default true). */
  authenticated?: boolean;
  /** Headers the call sets itself (a decision's Idempotency-Key). */
  headers?: Record<string, string>;
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const { method = 'GET', body, signal, authenticated = true } = options;
  const headers: Record<string, string> = {
    Accept: options.accept ?? 'application/json, application/problem+json',
  };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  Object.assign(headers, options.headers);
  const token = authenticated ? getToken() : null;
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(API_URL + path, {
      method,
      headers,
      body,
      signal,
      credentials: 'same-origin',
    });
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw new ApiError(0, 'Network error', error instanceof Error ? error.message : String(error));
  }
}

let refreshing: Promise<boolean> | null = null;

/** Trades the refresh token for a new pair; false when there is none or it was refused. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= doRefresh().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function doRefresh(): Promise<boolean> {
  const session = storedSession();
  if (!session || !canRefresh(session)) return false;
  try {
    const { data } = await publicApi.POST('/auth/refresh', { body: { refresh_token: session.refreshToken! } });
    storeTokens(data as TokenResponse);
    return true;
  } catch (error) {
    // Server trouble or no answer: keep the session; a refusal (4xx) ends it.
    if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
    throw error;
  }
}

function needsRefresh(): boolean {
  const session = storedSession();
  return session !== null && canRefresh(session) && session.expiresAt - Date.now() < REFRESH_MARGIN_MS;
}

/** Sends the request; an authenticated one is refreshed ahead and retried once after a 401. */
export async function fetchApi(path: string, options: RequestOptions = {}): Promise<Response> {
  const authenticated = options.authenticated ?? true;
  if (authenticated && needsRefresh()) await refreshSession();
  let response = await send(path, options);
  if (authenticated && response.status === 401 && (await refreshSession())) {
    response = await send(path, options);
  }
  if (!response.ok) {
    const error = await toApiError(response);
    if (authenticated && response.status === 401) sessionExpired();
    throw error;
  }
  return response;
}

/**
 * Hands a request built by openapi-fetch to fetchApi. The path stays relative (the API is
 * same-origin); the origin given to openapi-fetch only lets it build a Request.
 */
async function fetchRequest(request: Request, authenticated: boolean): Promise<Response> {
  const url = new URL(request.url);
  const body = request.body === null ? undefined : await request.text();
  return fetchApi(url.pathname + url.search, {
    method: request.method,
    body,
    signal: request.signal,
    accept: request.headers.get('Accept') ?? undefined,
    authenticated,
    headers: passedHeaders(request.headers),
  });
}

/** The headers a call sets that the transport passes on as they are. */
const PASSED_HEADERS = ['Idempotency-Key', 'If-Match', 'X-Request-ID'];

function passedHeaders(headers: Headers): Record<string, string> {
  return Object.fromEntries(PASSED_HEADERS.flatMap((name) => (headers.has(name) ? [[name, headers.get(name)!]] : [])));
}

// Relative URLs cannot build a Request outside a browser (tests); any origin would do.
const baseUrl = typeof window === 'undefined' ? 'http://localhost' : window.location.origin;

/**
 * The API's routes, typed by its OpenAPI document (schema.d.ts): a path, parameter or body
 * the API does not have fails the type check. An answer >= 400 throws ApiError, so `data` is
 * there whenever a call returns.
 */
export const api = createClient<paths, 'application/json'>({ baseUrl, fetch: (request) => fetchRequest(request, true) });

/** The public routes (login, refresh, logout): no token sent, a 401 expires nothing. */
export const publicApi = createClient<paths, 'application/json'>({ baseUrl, fetch: (request) => fetchRequest(request, false) });
