import { useState } from 'react';
import { boltEarnings, boltTrips, type BoltDailyEarning } from '../api/client';
import { currencyOf, perDay, total } from '../activity';
import { BarChart } from '../components/BarChart';
import { EmptyState, LoadView } from '../components/common';
import { Pagination } from '../components/Pagination';
import { useDateRange } from '../dateRange';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';
import { BoltStateLogs } from './DriverHistory';
import { Card } from './UberActivity';

/** Bolt: daily earnings (cards, chart of cash vs in-app, table), the trips, the state logs. */
export function BoltActivity({ driverId }: { driverId: string }) {
  const { range } = useDateRange();
  const { t } = useI18n();
  const [earnings, retry] = useLoad(`${driverId}|${range.from}|${range.to}`, (signal) =>
    boltEarnings(driverId, range, signal),
  );
  return (
    <>
      <LoadView state={earnings} retry={retry}>
        {(data) => <BoltEarnings rows={data.items} />}
      </LoadView>
      <h3>{t('trips.title')}</h3>
      <BoltTrips key={`${driverId}|${range.from}|${range.to}`} driverId={driverId} />
      <BoltStateLogs key={`${driverId}|${range.from}|${range.to}`} driverId={driverId} />
    </>
  );
}

function BoltEarnings({ rows }: { rows: BoltDailyEarning[] }) {
  const { t, formatNumber, formatMoney, formatDay } = useI18n();
  const { range } = useDateRange();
  const currency = currencyOf(rows);
  const money = (v: number) => formatMoney(v, currency);
  const cash = perDay(rows, range, (r) => r.cash_minor);
  const inApp = perDay(rows, range, (r) => r.in_app_minor);
  return (
    <>
      <ul className="cards" aria-label={t('metrics.summary')}>
        <Card label={t('earnings.orders')} value={formatNumber(total(rows, (r) => r.orders))} />
        <Card label={t('earnings.gross')} value={money(total(rows, (r) => r.gross_minor))} />
        <Card label={t('earnings.commission')} value={money(total(rows, (r) => r.commission_minor))} />
        <Card label={t('earnings.net')} value={money(total(rows, (r) => r.net_minor))} />
        <Card label={t('earnings.tips')} value={money(total(rows, (r) => r.tips_minor))} />
      </ul>
      {rows.length === 0 ? (
        <EmptyState title={t('metrics.empty')} />
      ) : (
        <>
          <BarChart
            title={t('earnings.chart')}
            labels={cash.days.map((d) => formatDay(d, false))}
            series={[
              { name: t('earnings.inApp'), values: inApp.values, tone: 'primary' },
              { name: t('earnings.cash'), values: cash.values, tone: 'secondary' },
            ]}
            format={money}
          />
          <div className="table-wrap">
            <table className="table numbers">
              <caption className="visually-hidden">{t('earnings.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('chart.day')}</th>
                  <th scope="col">{t('earnings.orders')}</th>
                  <th scope="col">{t('earnings.gross')}</th>
                  <th scope="col">{t('earnings.commission')}</th>
                  <th scope="col">{t('earnings.net')}</th>
                  <th scope="col">{t('earnings.tips')}</th>
                  <th scope="col">{t('earnings.cash')}</th>
                  <th scope="col">{t('earnings.inApp')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.day}>
                    <th scope="row">{formatDay(r.day)}</th>
                    <td data-label={t('earnings.orders')}>{formatNumber(r.orders)}</td>
                    <td data-label={t('earnings.gross')}>{formatMoney(r.gross_minor, r.currency)}</td>
                    <td data-label={t('earnings.commission')}>{formatMoney(r.commission_minor, r.currency)}</td>
                    <td data-label={t('earnings.net')}>{formatMoney(r.net_minor, r.currency)}</td>
                    <td data-label={t('earnings.tips')}>{formatMoney(r.tips_minor, r.currency)}</td>
                    <td data-label={t('earnings.cash')}>{formatMoney(r.cash_minor, r.currency)}</td>
                    <td data-label={t('earnings.inApp')}>{formatMoney(r.in_app_minor, r.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

function BoltTrips({ driverId }: { driverId: string }) {
  const { t, formatDate, formatMoney } = useI18n();
  const { range } = useDateRange();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const [state, retry] = useLoad(`${driverId}|${range.from}|${range.to}|${cursor}`, (signal) =>
    boltTrips(driverId, { ...range, cursor }, signal),
  );
  const page = state.status === 'ready' ? state.data : null;
  return (
    <>
      <LoadView state={state} retry={retry}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState title={t('trips.empty')} />
          ) : (
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">{t('trips.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('trips.finished')}</th>
                    <th scope="col">{t('trips.route')}</th>
                    <th scope="col">{t('trips.status')}</th>
                    <th scope="col">{t('trips.payment')}</th>
                    <th scope="col">{t('trips.price')}</th>
                    <th scope="col">{t('trips.commission')}</th>
                    <th scope="col">{t('trips.net')}</th>
                    <th scope="col">{t('trips.tip')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((trip) => (
                    <tr key={trip.order_reference}>
                      <th scope="row" data-label={t('trips.finished')}>
                        {formatDate(trip.finished_at ?? trip.created_at)}
                      </th>
                      <td data-label={t('trips.route')}>
                        {trip.pickup_address || t('value.none')} → {trip.destination_address || t('value.none')}
                      </td>
                      <td data-label={t('trips.status')}>{trip.status || t('value.none')}</td>
                      <td data-label={t('trips.payment')}>{trip.payment_method || t('value.none')}</td>
                      <td data-label={t('trips.price')}>{formatMoney(trip.ride_price_minor, trip.currency)}</td>
                      <td data-label={t('trips.commission')}>{formatMoney(trip.commission_minor, trip.currency)}</td>
                      <td data-label={t('trips.net')}>{formatMoney(trip.net_minor, trip.currency)}</td>
                      <td data-label={t('trips.tip')}>{formatMoney(trip.tip_minor, trip.currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </LoadView>
      <Pagination
        pageNumber={cursors.length}
        hasNext={Boolean(page?.next_cursor)}
        loading={state.status === 'loading'}
        onPrevious={() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c))}
        onNext={() => page?.next_cursor && setCursors((c) => [...c, page.next_cursor])}
      />
    </>
  );
}
