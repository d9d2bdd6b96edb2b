// The API's shapes, from the generated schema.d.ts (`npm run gen:api`), so that an API change
// breaks the type check instead of the page. Only the generic envelopes (Page, Items) and
// narrowed unions are written here.
import type { components, operations } from './schema';

type Schemas = components['schemas'];

/** The audit lists' order: oldest first (`asc`) or newest first (`desc`). */
export type AuditOrder = NonNullable<NonNullable<operations['list_events_audit_events_get']['parameters']['query']>['order']>;

export type Role = 'admin' | 'manager' | 'viewer' | 'auditor';
export type Me = Omit<Schemas['Me'], 'role'> & { role: Role | (string & {}) };
export type Driver = Schemas['Driver'];
export type DriverPage = Schemas['DriverPage'];

/** Login and refresh answer; refresh_* are absent from an API without refresh tokens. */
export type TokenResponse = Schemas['Token'] & {
  refresh_token?: string | null;
  refresh_expires_in?: number | null;
};

export type Provider = 'uber' | 'bolt';

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Items<T> {
  items: T[];
}

export type Vehicle = Schemas['Vehicle'];

export type UberDailyMetric = Schemas['DailyMetrics'];

export type BreakdownLine = Schemas['PaymentCategory'];

export type UberPayment = Schemas['Payment'];

export type BoltTrip = Schemas['Trip'];

export type BoltDailyEarning = Schemas['DailyEarnings'];

export type SyncRun = Schemas['SyncRun'];

export type SyncStatus = Schemas['ResourceSync'];

export type ProjectionLag = Schemas['ProjectionStatus'];

/** An Uber transaction: amount_minor sums the top-level categories of its breakdown. */
export type UberTransaction = Schemas['Transaction'];
/** A Bolt driver's state from created_at: inactive, waiting_orders or has_order. */
export type BoltStateLog = Schemas['StateLog'];
/** An Uber driver's realtime status (DRIVER_STATUS_*) from status_at. */
export type UberStatusChange = Schemas['StatusChange'];

/** An Uber report the platform fetched; its file is the recorded body of the call fetch_id. */
export type UberReport = Schemas['UberReport'];
export type BoltCompany = Schemas['BoltCompany'];

/** The whole fleet over some days: both providers per day and in total, drivers by status. */
export type FleetOverview = Schemas['FleetOverview'];
export type UberFigures = Schemas['UberFigures'];
export type BoltFigures = Schemas['BoltFigures'];

export type AuditEvent = Schemas['EventSummary'];
export type AuditFetch = Schemas['Fetch'];
/** One event with the provider's record exactly as received (text of the stored bytes). */
export type AuditEventDetail = Schemas['EventDetail'];
/** A record the platform refused to decode: why, and its bytes as text. */
export type AuditQuarantined = Schemas['QuarantinedRecord'];

/** A person (chauffeur) and the platform drivers (identities) they own: docs/PEOPLE.md. */
export type Person = Schemas['Person'];
export type PersonPage = Schemas['PersonPage'];
export type PersonDetail = Schemas['PersonDetail'];
/** One platform driver (`uber:<id>`, `bolt:<uuid>`) and whose it is (`person_id`, null when unmapped). */
export type PersonIdentity = Schemas['PersonIdentity'];
export type PersonVehicle = Schemas['PersonVehicle'];
export type IdentityPage = Schemas['IdentityPage'];
/** A person's figures on both platforms over some days, per day and in total. */
export type PersonActivity = Schemas['PersonActivity'];
/** A decision about a person, or an automatic link (`user_email` null). */
export type PersonDecision = Schemas['PersonDecision'];
export type PersonHistory = Schemas['PersonHistory'];
/** Two identities that may be one person, why (French reasons) and how strongly. */
export type Suggestion = Schemas['Suggestion'];
export type SuggestionPage = Schemas['SuggestionPage'];
/** A provider account (an Uber organisation) and its name. */
export type ProviderAccount = Schemas['ProviderAccount'];
