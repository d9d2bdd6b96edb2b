import { boltEarnings, boltTrips, type BoltDailyEarning, type BoltTrip } from '../api/client';
import { currencyOf, perDay, total } from '../activity';
import { BarChart } from '../components/BarChart';
import { EmptyState, LoadView } from '../components/common';
import { DataTable, PagedTable, type Column } from '../components/DataTable';
import { useDateRange } from '../dateRange';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';
import { BoltStateLogs, useDriverPages } from './DriverHistory';
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
      <BoltTrips key={`trips|${driverId}|${range.from}|${range.to}`} driverId={driverId} />
      <BoltStateLogs key={`states|${driverId}|${range.from}|${range.to}`} driverId={driverId} />
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
  const columns: Column<BoltDailyEarning>[] = [
    { header: t('chart.day'), cell: (r) => formatDay(r.day) },
    { header: t('earnings.orders'), cell: (r) => formatNumber(r.orders) },
    { header: t('earnings.gross'), cell: (r) => formatMoney(r.gross_minor, r.currency) },
    { header: t('earnings.commission'), cell: (r) => formatMoney(r.commission_minor, r.currency) },
    { header: t('earnings.net'), cell: (r) => formatMoney(r.net_minor, r.currency) },
    { header: t('earnings.tips'), cell: (r) => formatMoney(r.tips_minor, r.currency) },
    { header: t('earnings.cash'), cell: (r) => formatMoney(r.cash_minor, r.currency) },
    { header: t('earnings.inApp'), cell: (r) => formatMoney(r.in_app_minor, r.currency) },
  ];
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
          <DataTable
            className="table numbers"
            caption={t('earnings.caption')}
            columns={columns}
            rows={rows}
            rowKey={(r) => r.day}
          />
        </>
      )}
    </>
  );
}

function BoltTrips({ driverId }: { driverId: string }) {
  const { t, formatDate, formatMoney } = useI18n();
  const trips = useDriverPages(driverId, boltTrips);
  const none = t('value.none');
  const columns: Column<BoltTrip>[] = [
    { header: t('trips.finished'), cell: (trip) => formatDate(trip.finished_at ?? trip.created_at) },
    {
      header: t('trips.route'),
      cell: (trip) => `${trip.pickup_address || none} → ${trip.destination_address || none}`,
    },
    { header: t('trips.status'), cell: (trip) => trip.status || none },
    { header: t('trips.payment'), cell: (trip) => trip.payment_method || none },
    { header: t('trips.price'), cell: (trip) => formatMoney(trip.ride_price_minor, trip.currency) },
    { header: t('trips.commission'), cell: (trip) => formatMoney(trip.commission_minor, trip.currency) },
    { header: t('trips.net'), cell: (trip) => formatMoney(trip.net_minor, trip.currency) },
    { header: t('trips.tip'), cell: (trip) => formatMoney(trip.tip_minor, trip.currency) },
  ];
  return (
    <PagedTable
      list={trips}
      empty={<EmptyState title={t('trips.empty')} />}
      columns={columns}
      rowKey={(trip) => trip.order_reference}
      caption={t('trips.title')}
    />
  );
}
