import {
  boltStateLogs,
  uberStatusHistory,
  uberTransactions,
  type BoltStateLog,
  type HistoryParams,
  type Page,
  type UberStatusChange,
  type UberTransaction,
} from '../api/client';
import { VehicleName } from '../components/AccountName';
import { EmptyState } from '../components/common';
import { PagedTable, type Column, type PagedTableProps } from '../components/DataTable';
import { useDateRange } from '../dateRange';
import { statusLabel, statusTone } from '../drivers';
import { usePagedLoad } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/dictionary';

type Fetcher<P> = (driverId: string, params: HistoryParams, signal: AbortSignal) => Promise<P>;

/**
 * One page of a driver's history over the chosen days, with previous / next. The driver and
 * the days are the paging key, so another driver or other days start again from the first page.
 */
export function useDriverPages<P extends { next_cursor?: string | null }>(driverId: string, fetcher: Fetcher<P>) {
  const { range } = useDateRange();
  return usePagedLoad(
    `${driverId}|${range.from}|${range.to}`,
    null as string | null,
    (cursor, signal) => fetcher(driverId, { ...range, cursor }, signal),
    (page) => page.next_cursor,
  );
}

/** The dictionary's texts of a history: `<texts>.title` names it, `<texts>.empty` says it has nothing. */
type HistoryTexts = 'transactions' | 'stateLogs' | 'statusHistory';

type HistoryTableProps<T> = Pick<PagedTableProps<T, Page<T>>, 'columns' | 'rowKey'> & {
  driverId: string;
  fetcher: Fetcher<Page<T>>;
  texts: HistoryTexts;
};

/**
 * One of a driver's histories over the chosen days, under its heading: the table named after
 * it, or the empty state, then previous / next.
 */
function HistoryTable<T>({ driverId, fetcher, texts, ...table }: HistoryTableProps<T>) {
  const { t } = useI18n();
  const list = useDriverPages(driverId, fetcher);
  const title = t(`${texts}.title`);
  return (
    <>
      <h3>{title}</h3>
      <PagedTable {...table} list={list} caption={title} empty={<EmptyState title={t(`${texts}.empty`)} />} />
    </>
  );
}

/** Uber: the driver's transactions over the days, oldest first, amounts in their currency. */
export function UberTransactions({ driverId }: { driverId: string }) {
  const { t, formatDate, formatMoney } = useI18n();
  const none = t('value.none');
  const columns: Column<UberTransaction>[] = [
    { header: t('transactions.processed'), cell: (txn) => formatDate(txn.processed_at) },
    { header: t('transactions.description'), cell: (txn) => txn.description || none },
    { header: t('transactions.trip'), cell: (txn) => txn.trip_id || none },
    {
      header: t('transactions.amount'),
      cell: (txn) => formatMoney(txn.amount_minor, txn.currency ?? 'EUR'),
      className: 'amount',
    },
  ];
  const rowKey = (txn: UberTransaction) => txn.transaction_id;
  return <HistoryTable driverId={driverId} fetcher={uberTransactions} texts="transactions" columns={columns} rowKey={rowKey} />;
}

/** Uber: the driver's realtime statuses over the days, each from the time it began. */
export function UberStatusHistory({ driverId }: { driverId: string }) {
  const { t, formatDate } = useI18n();
  const columns: Column<UberStatusChange>[] = [
    { header: t('stateLogs.since'), cell: (change) => formatDate(change.status_at) },
    {
      header: t('drivers.col.status'),
      cell: (change) => <span className={`badge badge-${statusTone(change.status)}`}>{statusLabel(t, change.status)}</span>,
    },
  ];
  const rowKey = (change: UberStatusChange) => `${change.status_at}|${change.status}`;
  return <HistoryTable driverId={driverId} fetcher={uberStatusHistory} texts="statusHistory" columns={columns} rowKey={rowKey} />;
}

const STATES = new Set(['inactive', 'waiting_orders', 'has_order']);

/** Bolt: the driver's state changes over the days, in order, with the vehicle. */
export function BoltStateLogs({ driverId }: { driverId: string }) {
  const { t, formatDate } = useI18n();
  const stateName = (s: string) => (STATES.has(s) ? t(`stateLogs.state.${s}` as MessageKey) : s);
  const columns: Column<BoltStateLog>[] = [
    { header: t('stateLogs.since'), cell: (log) => formatDate(log.created_at) },
    { header: t('stateLogs.state'), cell: (log) => stateName(log.state) },
    {
      header: t('stateLogs.vehicle'),
      cell: (log) => (log.vehicle_uuid ? <VehicleName provider="bolt" vehicleId={log.vehicle_uuid} /> : t('value.none')),
    },
  ];
  const rowKey = (log: BoltStateLog) => `${log.created_at}|${log.state}`;
  return <HistoryTable driverId={driverId} fetcher={boltStateLogs} texts="stateLogs" columns={columns} rowKey={rowKey} />;
}
