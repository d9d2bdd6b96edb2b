// The API calls the pages make, each through the typed client (`api` in http.ts, typed by
// schema.d.ts, generated from the OpenAPI document): a wrong path, parameter or body fails
// `npm run typecheck`. Shapes: types.ts; transport, errors and token refresh: http.ts; the
// session: session.ts. To add a call: a function here over `api.GET/POST(path, { params })`.
import { addDays, isDay, parisStart } from '../dates';
import { api, publicApi } from './http';
import type { components, paths } from './schema';
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
  IdentityPage,
  Items,
  Me,
  Page,
  Person,
  PersonActivity,
  PersonDetail,
  PersonHistory,
  PersonPage,
  ProjectionLag,
  Provider,
  ProviderAccount,
  SuggestionPage,
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
export { api, ApiError, isAbortError, refreshSession, toApiError, REFRESH_MARGIN_MS } from './http';
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

/** The body of a call that returned: the transport throws ApiError for any answer >= 400. */
async function dataOf<T>(call: Promise<{ data?: T }>): Promise<T> {
  return (await call).data as T;
}

/** `query` without its empty values, its strings trimmed: a blank search box filters nothing. */
export function compact<Q extends object>(query: Q): Q {
  const entries = Object.entries(query).map(([key, value]) => [key, typeof value === 'string' ? value.trim() : value]);
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined && value !== null && value !== '')) as Q;
}

/** Uber's call or Bolt's: their routes differ by prefix (/fleet, /bolt), not by shape. */
function byProvider<T>(provider: Provider, uber: () => T, bolt: () => T): T {
  return provider === 'uber' ? uber() : bolt();
}

// --- Auth ------------------------------------------------------------------------------

/** POST /auth/login; stores the tokens on success. A 401 here does not expire anything. */
export async function login(email: string, password: string): Promise<TokenResponse> {
  const token: TokenResponse = await dataOf(publicApi.POST('/auth/login', { body: { email, password } }));
  storeTokens(token);
  return token;
}

/** GET /auth/me; remembered with the session so a reload shows the user at once. */
export async function getMe(signal?: AbortSignal): Promise<Me> {
  const me: Me = await dataOf(api.GET('/auth/me', { signal }));
  rememberMe(me);
  return me;
}

/** Ends the session here at once, then revokes the refresh token (best effort). */
export async function logout(): Promise<void> {
  const refreshToken = storedSession()?.refreshToken;
  clearSession();
  if (!refreshToken) return;
  await publicApi
    .POST('/auth/logout', { body: { refresh_token: refreshToken } })
    .catch(() => undefined); // offline or an API without logout: the token expires anyway
}

// --- Drivers and vehicles ----------------------------------------------------------------

export interface ListParams {
  limit?: number;
  cursor?: string | null;
  q?: string;
  status?: string;
  signal?: AbortSignal;
}

/** The drivers list's query: its filters, one page (50 rows by default). */
export function driversQuery({ limit, cursor, q, status }: Omit<ListParams, 'signal'>) {
  return compact({ limit: limit ?? 50, cursor, q, status });
}

/** GET /fleet/drivers or /bolt/drivers, with cursor pagination, search and status filter. */
export function listDrivers(params: ListParams = {}, provider: Provider = 'uber'): Promise<DriverPage> {
  const init = { params: { query: driversQuery(params) }, signal: params.signal };
  return byProvider(
    provider,
    () => dataOf(api.GET('/fleet/drivers', init)),
    () => dataOf(api.GET('/bolt/drivers', init)),
  );
}

/** GET /fleet/drivers/{id} or /bolt/drivers/{id}; 404 ApiError when unknown. */
export function getDriver(driverId: string, signal?: AbortSignal, provider: Provider = 'uber'): Promise<Driver> {
  const init = { params: { path: { driver_id: driverId } }, signal };
  return byProvider(
    provider,
    () => dataOf(api.GET('/fleet/drivers/{driver_id}', init)),
    () => dataOf(api.GET('/bolt/drivers/{driver_id}', init)),
  );
}

/** GET /fleet/vehicles or /bolt/vehicles (the API has no search on vehicles). */
export function listVehicles(params: Omit<ListParams, 'status'> = {}, provider: Provider = 'uber'): Promise<Page<Vehicle>> {
  const { limit = 50, cursor, q, signal } = params;
  const init = { params: { query: compact({ limit, cursor, q }) }, signal };
  return byProvider(
    provider,
    () => dataOf(api.GET('/fleet/vehicles', init)),
    () => dataOf(api.GET('/bolt/vehicles', init)),
  );
}

// --- Activity and money ----------------------------------------------------------------

export interface DateRange {
  /** First day, YYYY-MM-DD (Europe/Paris). */
  from: string;
  /** Last day, included, YYYY-MM-DD (Europe/Paris). */
  to: string;
}

/** A driver's figures over the days: the driver in the path, the days in the query. */
function daysOf(driverId: string, range: DateRange) {
  return { path: { driver_id: driverId }, query: { from: range.from, to: range.to } };
}

export function uberMetrics(driverId: string, range: DateRange, signal?: AbortSignal): Promise<Items<UberDailyMetric>> {
  return dataOf(api.GET('/fleet/drivers/{driver_id}/metrics', { params: daysOf(driverId, range), signal }));
}

export function uberPayments(driverId: string, range: DateRange, signal?: AbortSignal): Promise<Items<UberPayment>> {
  return dataOf(api.GET('/fleet/drivers/{driver_id}/payments', { params: daysOf(driverId, range), signal }));
}

export function boltEarnings(driverId: string, range: DateRange, signal?: AbortSignal): Promise<Items<BoltDailyEarning>> {
  return dataOf(api.GET('/bolt/drivers/{driver_id}/earnings', { params: daysOf(driverId, range), signal }));
}

/** A page of a driver's history over the days, after `cursor` (50 rows by default). */
export type HistoryParams = DateRange & { cursor?: string | null; limit?: number };

/**
 * Only the fields the routes take: pages pass the shared range, which also carries its
 * `preset`, and the API refuses unknown query parameters (a 422 on every history table).
 */
function historyOf(driverId: string, { from, to, cursor, limit = 50 }: HistoryParams) {
  return { path: { driver_id: driverId }, query: compact({ from, to, cursor, limit }) };
}

export function uberTransactions(driverId: string, params: HistoryParams, signal?: AbortSignal): Promise<Page<UberTransaction>> {
  return dataOf(api.GET('/fleet/drivers/{driver_id}/transactions', { params: historyOf(driverId, params), signal }));
}

export function uberStatusHistory(driverId: string, params: HistoryParams, signal?: AbortSignal): Promise<Page<UberStatusChange>> {
  return dataOf(api.GET('/fleet/drivers/{driver_id}/status-history', { params: historyOf(driverId, params), signal }));
}

export function boltStateLogs(driverId: string, params: HistoryParams, signal?: AbortSignal): Promise<Page<BoltStateLog>> {
  return dataOf(api.GET('/bolt/drivers/{driver_id}/state-logs', { params: historyOf(driverId, params), signal }));
}

export function boltTrips(driverId: string, params: HistoryParams, signal?: AbortSignal): Promise<Page<BoltTrip>> {
  return dataOf(api.GET('/bolt/drivers/{driver_id}/trips', { params: historyOf(driverId, params), signal }));
}

/** GET /fleet/overview: the whole fleet over the days (its CSV: csvFiles.overview). */
export function fleetOverview(range: DateRange, signal?: AbortSignal): Promise<FleetOverview> {
  return dataOf(api.GET('/fleet/overview', { params: { query: { from: range.from, to: range.to } }, signal }));
}

// --- People ------------------------------------------------------------------------------

/** GET /people: people by display name; `q` is a name, e-mail, phone (any form) or plate. */
export function listPeople(params: Omit<ListParams, 'status'> = {}): Promise<PersonPage> {
  const { limit = 50, cursor, q, signal } = params;
  return dataOf(api.GET('/people', { params: { query: compact({ limit, cursor, q }) }, signal }));
}

/** GET /people/unmapped: the platform drivers no person owns yet. */
export function unmappedDrivers(cursor?: string | null, signal?: AbortSignal, limit = 50): Promise<IdentityPage> {
  return dataOf(api.GET('/people/unmapped', { params: { query: compact({ cursor, limit }) }, signal }));
}

/** GET /people/suggestions: pairs that may be one person, strongest first. */
export function peopleSuggestions(cursor?: string | null, signal?: AbortSignal, limit = 50): Promise<SuggestionPage> {
  return dataOf(api.GET('/people/suggestions', { params: { query: compact({ cursor, limit }) }, signal }));
}

/** GET /people/{id}: the person, their identities and the vehicles they drive (plate, model). */
export function getPerson(personId: string, signal?: AbortSignal): Promise<PersonDetail> {
  return dataOf(api.GET('/people/{person_id}', { params: { path: { person_id: personId } }, signal }));
}

/** GET /people/{id}/activity: both platforms' figures per Paris day and in total. */
export function personActivity(personId: string, range: DateRange, signal?: AbortSignal): Promise<PersonActivity> {
  const params = { path: { person_id: personId }, query: { from: range.from, to: range.to } };
  return dataOf(api.GET('/people/{person_id}/activity', { params, signal }));
}

/** GET /people/{id}/history: the decisions and automatic links, oldest first (auditors, managers, admins). */
export function personHistory(personId: string, cursor?: string | null, signal?: AbortSignal): Promise<PersonHistory> {
  const params = { path: { person_id: personId }, query: compact({ cursor, limit: 50 }) };
  return dataOf(api.GET('/people/{person_id}/history', { params, signal }));
}

/** A random UUID (v4); crypto.randomUUID exists only on HTTPS and localhost, getRandomValues everywhere. */
export function newUuid(): string {
  if (typeof crypto.randomUUID === 'function' && globalThis.isSecureContext !== false) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The headers of one user action's decision: the same key on a retry of that action makes
 * the API answer the first result again instead of deciding twice.
 */
export function decisionHeaders(idempotencyKey: string = newUuid()) {
  return { 'Idempotency-Key': idempotencyKey };
}

/** POST /people/suggestions/{id}/accept: the two identities become one person. */
export function acceptSuggestion(suggestionId: string, idempotencyKey?: string): Promise<Person> {
  const params = { path: { suggestion_id: suggestionId }, header: decisionHeaders(idempotencyKey) };
  return dataOf(api.POST('/people/suggestions/{suggestion_id}/accept', { params, body: {} }));
}

/** POST /people/suggestions/{id}/reject: never suggested again. */
export async function rejectSuggestion(suggestionId: string, idempotencyKey?: string): Promise<void> {
  const params = { path: { suggestion_id: suggestionId }, header: decisionHeaders(idempotencyKey) };
  await api.POST('/people/suggestions/{suggestion_id}/reject', { params, body: {} });
}

/** POST /people/{id}/identities: an unmapped driver joins a person (409 when another's). */
export function linkIdentity(personId: string, identityId: string, idempotencyKey?: string): Promise<Person> {
  const params = { path: { person_id: personId }, header: decisionHeaders(idempotencyKey) };
  return dataOf(api.POST('/people/{person_id}/identities', { params, body: { identity_id: identityId } }));
}

/** POST /people: a new person owning the given drivers. */
export function createPerson(identityIds: string[], idempotencyKey?: string): Promise<Person> {
  const params = { header: decisionHeaders(idempotencyKey) };
  // 201 with the person (the document also lists a 200 without a body).
  return dataOf(api.POST('/people', { params, body: { identity_ids: identityIds } })) as Promise<Person>;
}

// --- Reports and accounts ----------------------------------------------------------------

/** GET /fleet/reports: the Uber reports fetched, by period, after `cursor`. */
export function uberReports(cursor?: string | null, signal?: AbortSignal, limit = 50): Promise<Page<UberReport>> {
  return dataOf(api.GET('/fleet/reports', { params: { query: compact({ cursor, limit }) }, signal }));
}

/** GET /fleet/orgs: the tenant's Uber organisations (supplier accounts), with their names. */
export function uberOrgs(signal?: AbortSignal): Promise<Items<ProviderAccount>> {
  return dataOf(api.GET('/fleet/orgs', { signal }));
}

/** GET /fleet/vehicles/{id} or /bolt/vehicles/{id}: one vehicle (plate, make, model). */
export function getVehicle(vehicleId: string, provider: Provider, signal?: AbortSignal): Promise<Vehicle> {
  const init = { params: { path: { vehicle_id: vehicleId } }, signal };
  return byProvider(
    provider,
    () => dataOf(api.GET('/fleet/vehicles/{vehicle_id}', init)),
    () => dataOf(api.GET('/bolt/vehicles/{vehicle_id}', init)),
  );
}

/** GET /bolt/companies: the tenant's Bolt companies (one short list, no pages). */
export function boltCompanies(signal?: AbortSignal): Promise<Items<BoltCompany>> {
  return dataOf(api.GET('/bolt/companies', { signal }));
}

// --- Operations: sync, projections, audit ----------------------------------------------

export function syncStatus(signal?: AbortSignal): Promise<Items<SyncStatus>> {
  return dataOf(api.GET('/sync/status', { signal }));
}

type SyncResource<P extends '/fleet/sync/{resource}' | '/bolt/sync/{resource}'> = paths[P]['post']['parameters']['path']['resource'];

/**
 * POST /fleet|bolt/sync/{resource}: asks the pollers for a run now (202). `resource` is a
 * name that GET /sync/status listed, the API's own, hence taken as one the route accepts.
 */
export function requestSync(provider: Provider, resource: string): Promise<{ run_id: string }> {
  return byProvider(
    provider,
    () => dataOf(api.POST('/fleet/sync/{resource}', { params: { path: { resource: resource as SyncResource<'/fleet/sync/{resource}'> } } })),
    () => dataOf(api.POST('/bolt/sync/{resource}', { params: { path: { resource: resource as SyncResource<'/bolt/sync/{resource}'> } } })),
  );
}

export function getSyncRun(runId: string, signal?: AbortSignal): Promise<SyncRun> {
  return dataOf(api.GET('/sync/runs/{run_id}', { params: { path: { run_id: runId } }, signal }));
}

export function projections(signal?: AbortSignal): Promise<Items<ProjectionLag>> {
  return dataOf(api.GET('/admin/projections', { signal }));
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

/** The audit filters as the API takes them: the days become instants (`to` excluded: the next midnight). */
export function auditWindowQuery<F extends AuditWindow>(filters: F): Omit<F, 'from' | 'to'> & { from?: string; to?: string } {
  const { from, to, ...rest } = filters;
  return compact({
    ...rest,
    from: from && isDay(from) ? parisStart(from) : undefined,
    to: to && isDay(to) ? parisStart(addDays(to, 1)) : undefined,
  });
}

/** The calls' filters as the API takes them: the HTTP status is a number there. */
export function fetchesQuery({ status, ...window }: FetchFilters) {
  return { ...auditWindowQuery(window), ...compact({ status: status ? Number(status) : undefined }) };
}

/** One page of an audit list, after `cursor`. */
function pageAfter(cursor: string | null | undefined) {
  return { ...compact({ cursor }), limit: 50 };
}

export function auditEvents(filters: AuditFilters, cursor?: string | null, signal?: AbortSignal): Promise<Page<AuditEvent>> {
  return dataOf(api.GET('/audit/events', { params: { query: { ...auditWindowQuery(filters), ...pageAfter(cursor) } }, signal }));
}

export function auditEvent(position: number | string, signal?: AbortSignal): Promise<AuditEventDetail> {
  return dataOf(api.GET('/audit/events/{position}', { params: { path: { position: Number(position) } }, signal }));
}

export function auditFetches(filters: FetchFilters, cursor?: string | null, signal?: AbortSignal): Promise<Page<AuditFetch>> {
  const query = { ...fetchesQuery(filters), ...pageAfter(cursor) };
  return dataOf(api.GET('/audit/fetches', { params: { query }, signal }));
}

/** A provider's answer to one call, byte for byte, with the content type it was stored with. */
export interface FetchBody {
  bytes: ArrayBuffer;
  contentType: string;
}

/** GET /audit/fetches/{id}/body; 404 ApiError when the call got no body (a network error). */
export async function auditFetchBody(fetchId: number, signal?: AbortSignal): Promise<FetchBody> {
  const { data, response } = await api.GET('/audit/fetches/{fetch_id}/body', {
    params: { path: { fetch_id: fetchId } },
    headers: { Accept: '*/*' },
    parseAs: 'arrayBuffer',
    signal,
  });
  const contentType = response.headers.get('content-type') || 'application/octet-stream';
  return { bytes: data ?? new ArrayBuffer(0), contentType };
}

export function auditQuarantine(filters: QuarantineFilters, cursor?: string | null, signal?: AbortSignal): Promise<Page<AuditQuarantined>> {
  const query = { ...auditWindowQuery(filters), ...pageAfter(cursor) };
  return dataOf(api.GET('/audit/quarantine', { params: { query }, signal }));
}

// --- Data quality ----------------------------------------------------------------------

export type WeekStatus = components['schemas']['WeekStatus'];

/** Each platform's week, complete or not and why (the last week that ended when `week` is null). */
export function weekStatus(week: string | null, signal?: AbortSignal): Promise<WeekStatus> {
  return dataOf(api.GET('/quality/weeks', { params: { query: compact({ week: week ?? undefined }) }, signal }));
}

export type Reconciliation = components['schemas']['Reconciliation'];
export type MinimumFares = components['schemas']['MinimumFares'];

/** The week's differences between sources that should agree, each with its likely reason. */
export function reconciliation(week: string, signal?: AbortSignal): Promise<Reconciliation> {
  return dataOf(api.GET('/quality/reconciliation', { params: { query: { week } }, signal }));
}

/** The week's rides paid under the legal minimum. */
export function minimumFares(week: string, signal?: AbortSignal): Promise<MinimumFares> {
  return dataOf(api.GET('/quality/minimum-fares', { params: { query: { week } }, signal }));
}
