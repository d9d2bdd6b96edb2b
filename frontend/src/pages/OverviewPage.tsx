import { useId } from 'react';
import { fleetOverview, type BoltFigures, type FleetOverview, type Provider, type UberFigures } from '../api/client';
import type { CsvFile } from '../api/csv';
import { BarChart } from '../components/BarChart';
import { LoadView, PageHeading } from '../components/common';
import { DateRangePicker } from '../components/DateRangePicker';
import { ExportCsvButton } from '../components/ExportCsvButton';
import { useDateRange } from '../dateRange';
import { providerLabel, statusLabel, statusTone } from '../drivers';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';
import { providersOf, useProvider } from '../provider';
import { Card } from './UberActivity';

/** The whole fleet over the chosen days: per provider (as the switch says), cards, a chart per day, the drivers. */
export function OverviewPage() {
  const { t } = useI18n();
  const id = useId();
  const { range } = useDateRange();
  const { provider } = useProvider();
  const [state, retry] = useLoad(`overview|${range.from}|${range.to}`, (signal) => fleetOverview(range, signal));
  const file: CsvFile = { path: '/fleet/overview', query: { from: range.from, to: range.to }, filename: `vue-d-ensemble-${range.from}-${range.to}.csv` };
  return (
    <section aria-labelledby={`${id}-title`}>
      <div className="page-head">
        <PageHeading id={`${id}-title`} title={t('overview.title')}>
          {t('overview.title')}
        </PageHeading>
        <ExportCsvButton files={[file]} />
      </div>
      <DateRangePicker />
      <LoadView state={state} retry={retry}>
        {(data) =>
          providersOf(provider).map((p) => <ProviderOverview key={p} provider={p} data={data} />)
        }
      </LoadView>
    </section>
  );
}

function ProviderOverview({ provider, data }: { provider: Provider; data: FleetOverview }) {
  const id = useId();
  return (
    <section className="activity" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{providerLabel(provider)}</h2>
      {provider === 'uber' ? <UberOverview data={data} /> : <BoltOverview data={data} />}
      <DriverCounts provider={provider} data={data} />
    </section>
  );
}

function currencyOf(figures: (UberFigures | BoltFigures)[]): string {
  return figures.find((f) => f.currency)?.currency ?? 'EUR';
}

function UberOverview({ data }: { data: FleetOverview }) {
  const { t, formatNumber, formatMoney, formatHours, formatDay } = useI18n();
  const totals = data.uber;
  const currency = currencyOf([totals]);
  return (
    <>
      <ul className="cards" aria-label={t('overview.summary', { provider: 'Uber' })}>
        <Card label={t('metrics.trips')} value={formatNumber(totals.trips)} />
        <Card label={t('metrics.hoursOnline')} value={formatHours(totals.hours_online)} />
        <Card label={t('metrics.hoursOnTrip')} value={formatHours(totals.hours_on_trip)} />
        <Card label={t('metrics.earnings')} value={formatMoney(totals.earnings_minor, currency)} />
        <Card label={t('overview.activeDrivers')} value={formatNumber(totals.active_drivers)} />
      </ul>
      <BarChart
        title={t('overview.uberChart')}
        labels={data.days.map((d) => formatDay(d.day, false))}
        series={[{ name: t('metrics.earnings'), values: data.days.map((d) => d.uber.earnings_minor), tone: 'primary' }]}
        format={(v) => formatMoney(v, currency)}
      />
    </>
  );
}

function BoltOverview({ data }: { data: FleetOverview }) {
  const { t, formatNumber, formatMoney, formatDay } = useI18n();
  const totals = data.bolt;
  const currency = currencyOf([totals]);
  const money = (v: number) => formatMoney(v, currency);
  return (
    <>
      <ul className="cards" aria-label={t('overview.summary', { provider: 'Bolt' })}>
        <Card label={t('earnings.orders')} value={formatNumber(totals.orders)} />
        <Card label={t('earnings.gross')} value={money(totals.gross_minor)} />
        <Card label={t('earnings.commission')} value={money(totals.commission_minor)} />
        <Card label={t('earnings.net')} value={money(totals.net_minor)} />
        <Card label={t('earnings.tips')} value={money(totals.tips_minor)} />
        <Card label={t('earnings.cash')} value={money(totals.cash_minor)} />
        <Card label={t('earnings.inApp')} value={money(totals.in_app_minor)} />
        <Card label={t('overview.activeDrivers')} value={formatNumber(totals.active_drivers)} />
      </ul>
      <BarChart
        title={t('overview.boltChart')}
        labels={data.days.map((d) => formatDay(d.day, false))}
        series={[
          { name: t('earnings.inApp'), values: data.days.map((d) => d.bolt.in_app_minor), tone: 'primary' },
          { name: t('earnings.cash'), values: data.days.map((d) => d.bolt.cash_minor), tone: 'secondary' },
        ]}
        format={money}
      />
    </>
  );
}

/** The provider's drivers now (not over the days), by status. */
function DriverCounts({ provider, data }: { provider: Provider; data: FleetOverview }) {
  const { t, formatNumber } = useI18n();
  const counts = data.drivers.filter((c) => c.provider === provider);
  const all = counts.reduce((sum, c) => sum + c.drivers, 0);
  return (
    <div className="overview-drivers">
      <h3>{t('overview.drivers', { provider: providerLabel(provider), count: formatNumber(all) })}</h3>
      <ul className="plain-list" aria-label={t('overview.byStatus', { provider: providerLabel(provider) })}>
        {counts.map((c) => (
          <li key={c.status ?? ''}>
            <span className={`badge badge-${statusTone(c.status)}`}>{statusLabel(t, c.status)}</span>{' '}
            {formatNumber(c.drivers)}
          </li>
        ))}
      </ul>
    </div>
  );
}
