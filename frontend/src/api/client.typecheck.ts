// Proof that the typed client refuses what the API does not have: `npm run typecheck` checks
// this file (nothing imports it, so it is not in the bundle). Each @ts-expect-error fails the
// check the day its line compiles, e.g. if the client went back to untyped paths.
import type { CsvFile } from './csv';
import { api } from './http';

export function misspelledPath() {
  // @ts-expect-error: the API has /fleet/drivers, not /fleet/driver
  return api.GET('/fleet/driver', {});
}

export function unknownQueryParameter() {
  // @ts-expect-error: /fleet/vehicles takes no status filter
  return api.GET('/fleet/vehicles', { params: { query: { status: 'active' } } });
}

export function wrongPathParameter() {
  // @ts-expect-error: the driver is {driver_id}, not {id}
  return api.GET('/fleet/drivers/{driver_id}', { params: { path: { id: 'd-1' } } });
}

export function missingPathParameter() {
  // @ts-expect-error: {driver_id} is required
  return api.GET('/fleet/drivers/{driver_id}/metrics', { params: { query: { from: '2026-01-01' } } });
}

export function wrongParameterType() {
  // @ts-expect-error: an event's position is a number
  return api.GET('/audit/events/{position}', { params: { path: { position: 'first' } } });
}

export function wrongBody() {
  // @ts-expect-error: login needs a password
  return api.POST('/auth/login', { body: { email: 'a@b.fr' } });
}

export function wrongMethod() {
  // @ts-expect-error: drivers are read, not posted
  return api.POST('/fleet/drivers', {});
}

// @ts-expect-error: the overview's CSV takes days, not a status
export const csvWithUnknownFilter: CsvFile = { path: '/fleet/overview', query: { status: 'x' }, filename: 'x.csv' };

// @ts-expect-error: a driver's detail has no CSV
export const csvOfNoList: CsvFile = { path: '/fleet/drivers/{driver_id}', filename: 'x.csv' };
