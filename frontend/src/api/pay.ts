// The "Paie" pages' calls: weekly settlements (docs/SETTLEMENTS.md), their decisions, and
// their files (a statement's PDF, the week's CSV, payroll CSV and ZIP), each over the typed
// client like the calls of client.ts.
import { compact, decisionHeaders } from './client';
import { api, ApiError } from './http';
import type { components } from './schema';
import { saveFile } from './csv';

export type SettlementPage = components['schemas']['SettlementPage'];
export type SettlementSummary = components['schemas']['SettlementSummary'];
export type Settlement = components['schemas']['Settlement'];
export type StatementLine = components['schemas']['StatementLine'];
export type LineSources = components['schemas']['LineSources'];
export type SettlementStatus = 'draft' | 'approved' | 'paid' | 'cancelled';
export type WeekExport = 'csv' | 'payroll' | 'zip';

export interface SettlementFilters {
  status?: SettlementStatus;
  incomplete?: boolean;
  negative?: boolean;
}

export interface NewLine {
  kind: 'recurring' | 'one_off';
  category: components['schemas']['NewLine']['category'];
  label: string;
  amount: number;
  last_week?: string;
  receipt?: string;
}

async function dataOf<T>(call: Promise<{ data?: T }>): Promise<T> {
  return (await call).data as T;
}

/** GET /settlements: every person's week (this week when `week` is null), filtered. */
export function listSettlements(week: string | null, filters: SettlementFilters, signal?: AbortSignal): Promise<SettlementPage> {
  const query = compact({ week: week ?? undefined, ...filters });
  return dataOf(api.GET('/settlements', { params: { query }, signal }));
}

export interface Shown {
  settlement: Settlement;
  etag: string | null;
}

/** GET /settlements/{id}, with the ETag an approval must send back. */
export async function getSettlement(id: string, signal?: AbortSignal): Promise<Shown> {
  const { data, response } = await api.GET('/settlements/{settlement_id}', { params: { path: { settlement_id: id } }, signal });
  return { settlement: data as Settlement, etag: response.headers.get('etag') };
}

function decision(id: string, key?: string) {
  return { path: { settlement_id: id }, header: decisionHeaders(key) };
}

/** POST /settlements/{id}/approve with If-Match: 409 when the draft changed since it was shown. */
export function approveSettlement(id: string, etag: string, overrideReason?: string): Promise<Settlement> {
  const params = decision(id);
  const headers = { 'If-Match': etag };
  const body = compact({ override_reason: overrideReason });
  return dataOf(api.POST('/settlements/{settlement_id}/approve', { params, headers, body }));
}

/** POST /settlements/{id}/pay: the date and the transfer's reference. */
export function paySettlement(id: string, paidOn: string, transferReference: string): Promise<Settlement> {
  const body = { paid_on: paidOn, transfer_reference: transferReference };
  return dataOf(api.POST('/settlements/{settlement_id}/pay', { params: decision(id), body }));
}

/** POST /settlements/{id}/cancel, with its reason. */
export function cancelSettlement(id: string, reason: string): Promise<Settlement> {
  return dataOf(api.POST('/settlements/{settlement_id}/cancel', { params: decision(id), body: { reason } }));
}

/** POST /settlements/{id}/lines: a one-off or recurring line (201). */
export function addLine(id: string, line: NewLine): Promise<Settlement> {
  // 201 with the settlement (the document's success type is that of the 201).
  return dataOf(api.POST('/settlements/{settlement_id}/lines', { params: decision(id), body: compact(line) })) as Promise<Settlement>;
}

/** DELETE /settlements/{id}/lines/{line_id}. */
export function removeLine(id: string, lineId: string): Promise<Settlement> {
  const params = { path: { settlement_id: id, line_id: lineId }, header: decisionHeaders() };
  return dataOf(api.DELETE('/settlements/{settlement_id}/lines/{line_id}', { params }));
}

/** GET /settlements/{id}/lines/{line_id}/sources: the events a line came from (auditors, managers, admins). */
export function lineSources(id: string, lineId: string, signal?: AbortSignal): Promise<LineSources> {
  const params = { path: { settlement_id: id, line_id: lineId } };
  return dataOf(api.GET('/settlements/{settlement_id}/lines/{line_id}/sources', { params, signal }));
}

async function download(call: Promise<{ data?: Blob; response: Response }>, type: string, filename: string) {
  const { data, response } = await call;
  if (!data || !(response.headers.get('content-type') ?? '').startsWith(type)) {
    throw new ApiError(406, 'Not Acceptable', `expected ${type}`);
  }
  saveFile(data, filename);
}

/** GET /settlements/{id}.pdf, saved as a file. */
export function downloadPdf(id: string): Promise<void> {
  const call = api.GET('/settlements/{settlement_id}.pdf', {
    params: { path: { settlement_id: id } },
    headers: { Accept: 'application/pdf' },
    parseAs: 'blob',
  });
  return download(call as Promise<{ data?: Blob; response: Response }>, 'application/pdf', `releve-${id}.pdf`);
}

const EXPORTS: Record<WeekExport, { type: string; name: string }> = {
  csv: { type: 'text/csv', name: 'releves-{week}.csv' },
  payroll: { type: 'text/csv', name: 'paie-{week}.csv' },
  zip: { type: 'application/zip', name: 'releves-{week}.zip' },
};

/** GET /settlements/export: the accountant's CSV, the payroll CSV or the ZIP of PDFs. */
export function downloadWeek(week: string, format: WeekExport): Promise<void> {
  const { type, name } = EXPORTS[format];
  const call = api.GET('/settlements/export', {
    params: { query: { week, format } },
    headers: { Accept: type },
    parseAs: 'blob',
  });
  return download(call as Promise<{ data?: Blob; response: Response }>, type, name.replace('{week}', week));
}
