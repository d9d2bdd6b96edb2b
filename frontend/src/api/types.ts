// The API's shapes. Those the OpenAPI document already describes come from the generated
// schema.d.ts (`npm run gen:api`), so an API change breaks the type check instead of the
// page. The others are written from the agreed shapes until their routes land; when a route
// appears in openapi.json, replace its interface here by the generated one.
import type { components } from './schema';

type Schemas = components['schemas'];

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

export interface Vehicle {
  vehicle_id: string;
  provider: string;
  account_id: string;
  plate: string | null;
  make: string | null;
  model: string | null;
  year: number | null;
  color: string | null;
  status: string | null;
}

export interface UberDailyMetric {
  day: string;
  trips: number;
  hours_online: number;
  hours_on_trip: number;
  earnings_minor: number;
  currency: string;
}

export interface BreakdownLine {
  category: string;
  amount_minor: number;
  children?: BreakdownLine[];
}

export interface UberPayment {
  payment_id: string;
  paid_at: string;
  amount_minor: number;
  currency: string;
  breakdown: BreakdownLine[];
}

export interface BoltTrip {
  order_reference: string;
  status: string | null;
  payment_method: string | null;
  created_at: string | null;
  finished_at: string | null;
  pickup_address: string | null;
  destination_address: string | null;
  ride_price_minor: number | null;
  commission_minor: number | null;
  net_minor: number | null;
  tip_minor: number | null;
  currency: string;
}

export interface BoltDailyEarning {
  day: string;
  orders: number;
  gross_minor: number;
  commission_minor: number;
  net_minor: number;
  tips_minor: number;
  tolls_minor: number;
  cash_minor: number;
  in_app_minor: number;
  currency: string;
}

export interface SyncRun {
  run_id: string;
  status: string;
  trigger: string | null;
  requested_at: string | null;
  finished_at: string | null;
  appended: number | null;
  error: string | null;
}

export interface SyncStatus {
  provider: string;
  resource: string;
  last_run: SyncRun | null;
}

export interface ProjectionLag {
  name: string;
  position: number;
  lag_events: number;
  lag_seconds: number | null;
  parked: number | boolean;
}

/** An Uber transaction: amount_minor sums the top-level categories of its breakdown. */
export type UberTransaction = Schemas['Transaction'];
/** A Bolt driver's state from created_at: inactive, waiting_orders or has_order. */
export type BoltStateLog = Schemas['StateLog'];

export type AuditEvent = Schemas['EventSummary'];
export type AuditFetch = Schemas['Fetch'];
/** One event with the provider's record exactly as received (text of the stored bytes). */
export type AuditEventDetail = Schemas['EventDetail'];
