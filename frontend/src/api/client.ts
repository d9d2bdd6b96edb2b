// Typed calls to the fleet API. Shapes: types.ts (generated from the OpenAPI document where
// it has them); transport, errors and token refresh: http.ts; the session: session.ts.
import { addDays, isDay, parisStart } from '../dates';
import { fetchApi, request } from './http';
import { clearSession, rememberMe, storedSession, storeTokens } from './session';
import type {
  AuditEvent,
  AuditEventDetail,
  AuditFetch,
  AuditOrder,
  AuditQuarantined,
  BoltCompany,
  BoltDailyEarning,
  BoltStateLog,
  BoltTrip,
  Driver,
  DriverPage,
  FleetOverview,
  Items,
  Me,
  Page,
  ProjectionLag,
  Provider,
  SyncRun,
  SyncStatus,
  TokenResponse,
  UberDailyMetric,
  UberPayment,
  UberReport,
  UberStatusChange,
  UberTransaction,
  Vehicle,
} from './types';

export * from './types';
export { ApiError, isAbortError, refreshSession, toApiError, REFRESH_MARGIN_MS } from './http';
export {
  clearSession,
  getSession,
  getToken,
  hasExpiredSession,
  onSessionExpired,
  resetSessionCacheForTests,
  SESSION_STORAGE_KEY,
  setSession,
  type Session,
} from './session';

type Query = Record<string, string | number | null | undefined>;

/** A query string of the set, non-empty parameters ('' when none), with its leading '?'. */
export function queryString(params: Query): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    const text = typeof value === 'string' ? value.trim() : value;
    if (text !== undefined && text !== null && text !== '') search.set(key, String(text));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

const id = encodeURIComponent;

/** The path prefix of each provider: Uber routes live under /fleet. */
export function providerPrefix(provider: Provider): string {
  return provider === 'uber' ? '/fleet' : '/bolt';
}

// --- Auth ------------------------------------------------------------------------------

/** POST /auth/login; stores the tokens on success. A 401 here does not expire anything. */
export async function login(email: string, password: string): Promise<TokenResponse> {
  const token = await request<TokenResponse>('/auth/login', {
    method: 'POST',
    body: { email, password },
    authenticated: false,
  });
  storeTokens(token);
  return token;
}

/** GET /auth/me; remembered with the session so a reload shows the user at once. */
export async function getMe(signal?: AbortSignal): Promise<Me> {
  const me = await request<Me>('/auth/me', { signal });
  rememberMe(me);
  return me;
}

/** Ends the session here at once, then revokes the refresh token (best effort). */
export async function logout(): Promise<void> {
  const refreshToken = storedSession()?.refreshToken;
  clearSession();
  if (!refreshToken) return;
  await request<void>('/auth/logout', {
    method: 'POST',
    body: { refresh_token: refreshToken },
    authenticated: false,
  }).catch(() => undefined); // offline or an API without logout: the token expires anyway
}

// --- Drivers and vehicles ----------------------------------------------------------------

export interface ListParams {
  limit?: number;
  cursor?: string | null;
  q?: string;
  status?: string;
  signal?: AbortSignal;
}

export function driversQuery({ limit, cursor, q, status }: Omit<ListParams, 'signal'>): string {
  return queryString({ limit: limit ?? 50, cursor, q, status }).slice(1);
}

/** GET /fleet/drivers or /bolt/drivers, with cursor pagination, search and status filter. */
export function listDrivers(params: ListParams = {}, provider: Provider = 'uber'): Promise<DriverPage> {
  return request<DriverPage>(`${providerPrefix(provider)}/drivers?${driversQuery(params)}`, {
    signal: params.signal,
  });
}

/** GET /fleet/drivers/{id} or /bolt/drivers/{id}; 404 ApiError when unknown. */
export function getDriver(driverId: string, signal?: AbortSignal, provider: Provider = 'uber'): Promise<Driver> {
  return request<Driver>(`${providerPrefix(provider)}/drivers/${id(driverId)}`, { signal });
}

export function listVehicles(params: ListParams = {}, provider: Provider = 'uber'): Promise<Page<Vehicle>> {
  const { limit = 50, cursor, q, status, signal } = params;
  return request(`${providerPrefix(provider)}/vehicles${queryString({ limit, cursor, q, status })}`, { signal });
}

// --- Activity and money ----------------------------------------------------------------

export interface DateRange {
  /** First day, YYYY-MM-DD (Europe/Paris). */
  from: string;
  /** Last day, included, YYYY-MM-DD (Europe/Paris). */
  to: string;
}

export function uberMetrics(driverId: string, range: DateRange, signal?: AbortSignal) {
  return request<Items<UberDailyMetric>>(`/fleet/drivers/${id(driverId)}/metrics${queryString({ ...range })}`, {
    signal,
  });
}

export function uberPayments(driverId: string, range: DateRange, signal?: AbortSignal) {
  return request<Items<UberPayment>>(`/fleet/drivers/${id(driverId)}/payments${queryString({ ...range })}`, {
    signal,
  });
}

/** A page of a driver's history over the days, after `cursor` (50 rows by default). */
export type HistoryParams = DateRange & { cursor?: string | null; limit?: number };

function historyPath(path: string, { limit = 50, ...rest }: HistoryParams): string {
  return `${path}${queryString({ ...rest, limit })}`;
}

export function uberTransactions(driverId: string, params: HistoryParams, signal?: AbortSignal) {
  return request<Page<UberTransaction>>(historyPath(`/fleet/drivers/${id(driverId)}/transactions`, params), {
    signal,
  });
}

export function uberStatusHistory(driverId: string, params: HistoryParams, signal?: AbortSignal) {
  return request<Page<UberStatusChange>>(historyPath(`/fleet/drivers/${id(driverId)}/status-history`, params), {
    signal,
  });
}

export function boltStateLogs(driverId: string, params: HistoryParams, signal?: AbortSignal) {
  return request<Page<BoltStateLog>>(historyPath(`/bolt/drivers/${id(driverId)}/state-logs`, params), { signal });
}

export function boltTrips(driverId: string, range: DateRange & { cursor?: string | null; limit?: number }, signal?: AbortSignal) {
  const { limit = 50, ...rest } = range;
  return request<Page<BoltTrip>>(`/bolt/drivers/${id(driverId)}/trips${queryString({ ...rest, limit })}`, { signal });
}

export function boltEarnings(driverId: string, range: DateRange, signal?: AbortSignal) {
  return request<Items<BoltDailyEarning>>(`/bolt/drivers/${id(driverId)}/earnings${queryString({ ...range })}`, {
    signal,
  });
}

/** GET /fleet/overview: the whole fleet over the days (CSV: the same path with format=csv). */
export function overviewPath(range: DateRange): string {
  return `/fleet/overview${queryString({ ...range })}`;
}

export function fleetOverview(range: DateRange, signal?: AbortSignal) {
  return request<FleetOverview>(overviewPath(range), { signal });
}

// --- Reports and accounts ----------------------------------------------------------------

/** GET /fleet/reports: the Uber reports fetched, by period, after `cursor`. */
export function uberReports(cursor?: string | null, signal?: AbortSignal, limit = 50) {
  return request<Page<UberReport>>(`/fleet/reports${queryString({ cursor, limit })}`, { signal });
}

/** GET /bolt/companies: the tenant's Bolt companies (one short list, no pages). */
export function boltCompanies(signal?: AbortSignal) {
  return request<Items<BoltCompany>>('/bolt/companies', { signal });
}

// --- Operations: sync, projections, audit ----------------------------------------------

export function syncStatus(signal?: AbortSignal) {
  return request<Items<SyncStatus>>('/sync/status', { signal });
}

/** POST /fleet|bolt/sync/{resource}: asks the pollers for a run now (202). */
export function requestSync(provider: Provider, resource: string) {
  return request<{ run_id: string }>(`${providerPrefix(provider)}/sync/${id(resource)}`, { method: 'POST' });
}

export function getSyncRun(runId: string, signal?: AbortSignal) {
  return request<SyncRun>(`/sync/runs/${id(runId)}`, { signal });
}

export function projections(signal?: AbortSignal) {
  return request<Items<ProjectionLag>>('/admin/projections', { signal });
}

/** Filters every audit list takes; `from`/`to` are Paris days, both included. */
export interface AuditWindow {
  provider?: string;
  from?: string;
  to?: string;
  /** The API lists oldest first when absent; the audit views ask for newest first. */
  order?: AuditOrder;
}

export interface AuditFilters extends AuditWindow {
  event_type?: string;
  entity_id?: string;
}

export interface FetchFilters extends AuditWindow {
  status?: string;
}

export interface QuarantineFilters extends AuditWindow {
  resource?: string;
}

/** The audit lists' query: the days become the instants the API takes (`to` excluded: the next midnight). */
export function auditQuery(filters: AuditWindow, cursor?: string | null, limit = 50): string {
  const { from, to, ...rest } = filters;
  const window = {
    from: from && isDay(from) ? parisStart(from) : undefined,
    to: to && isDay(to) ? parisStart(addDays(to, 1)) : undefined,
  };
  return queryString({ ...(rest as Query), ...window, cursor, limit });
}

export function auditEvents(filters: AuditFilters, cursor?: string | null, signal?: AbortSignal) {
  return request<Page<AuditEvent>>(`/audit/events${auditQuery(filters, cursor)}`, { signal });
}

export function auditEvent(position: number | string, signal?: AbortSignal) {
  return request<AuditEventDetail>(`/audit/events/${id(String(position))}`, { signal });
}

export function auditFetches(filters: FetchFilters, cursor?: string | null, signal?: AbortSignal) {
  return request<Page<AuditFetch>>(`/audit/fetches${auditQuery(filters, cursor)}`, { signal });
}

/** A provider's answer to one call, byte for byte, with the content type it was stored with. */
export interface FetchBody {
  bytes: ArrayBuffer;
  contentType: string;
}

/** GET /audit/fetches/{id}/body; 404 ApiError when the call got no body (a network error). */
export async function auditFetchBody(fetchId: number, signal?: AbortSignal): Promise<FetchBody> {
  const response = await fetchApi(`/audit/fetches/${id(String(fetchId))}/body`, { signal, accept: '*/*' });
  const contentType = response.headers.get('content-type') || 'application/octet-stream';
  return { bytes: await response.arrayBuffer(), contentType };
}

export function auditQuarantine(filters: QuarantineFilters, cursor?: string | null, signal?: AbortSignal) {
  return request<Page<AuditQuarantined>>(`/audit/quarantine${auditQuery(filters, cursor)}`, { signal });
}
