import {
  boltStateLogs,
  uberTransactions,
  type BoltStateLog,
  type HistoryParams,
  type UberTransaction,
} from '../api/client';
import { EmptyState } from '../components/common';
import { PagedTable, type Column, type PagedTableProps } from '../components/DataTable';
import { useDateRange } from '../dateRange';
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

type HistoryTableProps<T, P extends { items: readonly T[] }> = Omit<PagedTableProps<T, P>, 'empty' | 'caption'> & {
  /** The heading above the table, which also names it. */
  title: string;
  /** What to say when the driver has nothing over the days. */
  empty: string;
};

/** A history under its heading: the table named after it, or the empty state, then previous / next. */
function HistoryTable<T, P extends { items: readonly T[] }>({ title, empty, ...table }: HistoryTableProps<T, P>) {
  return (
    <>
      <h3>{title}</h3>
      <PagedTable {...table} caption={title} empty={<EmptyState title={empty} />} />
    </>
  );
}

/** Uber: the driver's transactions over the days, oldest first, amounts in their currency. */
export function UberTransactions({ driverId }: { driverId: string }) {
  const { t, formatDate, formatMoney } = useI18n();
  const transactions = useDriverPages(driverId, uberTransactions);
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
  return (
    <HistoryTable
      title={t('transactions.title')}
      empty={t('transactions.empty')}
      list={transactions}
      columns={columns}
      rowKey={(txn) => txn.transaction_id}
    />
  );
}

const STATES = new Set(['inactive', 'waiting_orders', 'has_order']);

/** Bolt: the driver's state changes over the days, in order, with the vehicle. */
export function BoltStateLogs({ driverId }: { driverId: string }) {
  const { t, formatDate } = useI18n();
  const logs = useDriverPages(driverId, boltStateLogs);
  const stateName = (s: string) => (STATES.has(s) ? t(`stateLogs.state.${s}` as MessageKey) : s);
  const columns: Column<BoltStateLog>[] = [
    { header: t('stateLogs.since'), cell: (log) => formatDate(log.created_at) },
    { header: t('stateLogs.state'), cell: (log) => stateName(log.state) },
    { header: t('stateLogs.vehicle'), cell: (log) => log.vehicle_uuid || t('value.none') },
  ];
  return (
    <HistoryTable
      title={t('stateLogs.title')}
      empty={t('stateLogs.empty')}
      list={logs}
      columns={columns}
      rowKey={(log) => `${log.created_at}|${log.state}`}
    />
  );
}
