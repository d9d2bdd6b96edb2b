import { useState } from 'react';
import {
  boltStateLogs,
  uberTransactions,
  type BoltStateLog,
  type HistoryParams,
  type Page,
  type UberTransaction,
} from '../api/client';
import { EmptyState, LoadView } from '../components/common';
import { Pagination } from '../components/Pagination';
import { useDateRange } from '../dateRange';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/dictionary';

type Fetcher<T> = (driverId: string, params: HistoryParams, signal: AbortSignal) => Promise<Page<T>>;

/** One page of a driver's history over the chosen days, with a stack of cursors to go back. */
function useHistoryPages<T>(driverId: string, fetcher: Fetcher<T>) {
  const { range } = useDateRange();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const [state, retry] = useLoad(`${driverId}|${range.from}|${range.to}|${cursor}`, (signal) =>
    fetcher(driverId, { ...range, cursor }, signal),
  );
  const next = state.status === 'ready' ? state.data.next_cursor : null;
  const pagination = (
    <Pagination
      pageNumber={cursors.length}
      hasNext={Boolean(next)}
      loading={state.status === 'loading'}
      onPrevious={() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c))}
      onNext={() => next && setCursors((c) => [...c, next])}
    />
  );
  return { state, retry, pagination };
}

/** Uber: the driver's transactions over the days, oldest first, amounts in their currency. */
export function UberTransactions({ driverId }: { driverId: string }) {
  const { t, formatDate, formatMoney } = useI18n();
  const { state, retry, pagination } = useHistoryPages<UberTransaction>(driverId, uberTransactions);
  return (
    <>
      <h3>{t('transactions.title')}</h3>
      <LoadView state={state} retry={retry}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState title={t('transactions.empty')} />
          ) : (
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">{t('transactions.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('transactions.processed')}</th>
                    <th scope="col">{t('transactions.description')}</th>
                    <th scope="col">{t('transactions.trip')}</th>
                    <th scope="col">{t('transactions.amount')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((txn) => (
                    <tr key={txn.transaction_id}>
                      <th scope="row" data-label={t('transactions.processed')}>
                        {formatDate(txn.processed_at)}
                      </th>
                      <td data-label={t('transactions.description')}>{txn.description || t('value.none')}</td>
                      <td data-label={t('transactions.trip')}>{txn.trip_id || t('value.none')}</td>
                      <td data-label={t('transactions.amount')} className="amount">
                        {formatMoney(txn.amount_minor, txn.currency ?? 'EUR')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </LoadView>
      {pagination}
    </>
  );
}

const STATES = new Set(['inactive', 'waiting_orders', 'has_order']);

/** Bolt: the driver's state changes over the days, in order, with the vehicle. */
export function BoltStateLogs({ driverId }: { driverId: string }) {
  const { t, formatDate } = useI18n();
  const { state, retry, pagination } = useHistoryPages<BoltStateLog>(driverId, boltStateLogs);
  const stateName = (s: string) => (STATES.has(s) ? t(`stateLogs.state.${s}` as MessageKey) : s);
  return (
    <>
      <h3>{t('stateLogs.title')}</h3>
      <LoadView state={state} retry={retry}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState title={t('stateLogs.empty')} />
          ) : (
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">{t('stateLogs.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('stateLogs.since')}</th>
                    <th scope="col">{t('stateLogs.state')}</th>
                    <th scope="col">{t('stateLogs.vehicle')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((log) => (
                    <tr key={`${log.created_at}|${log.state}`}>
                      <th scope="row" data-label={t('stateLogs.since')}>
                        {formatDate(log.created_at)}
                      </th>
                      <td data-label={t('stateLogs.state')}>{stateName(log.state)}</td>
                      <td data-label={t('stateLogs.vehicle')}>{log.vehicle_uuid || t('value.none')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </LoadView>
      {pagination}
    </>
  );
}
