import { useId, useState } from 'react';
import { uberMetrics, uberPayments, type BreakdownLine, type UberDailyMetric, type UberPayment } from '../api/client';
import { currencyOf, perDay, total } from '../activity';
import { BarChart } from '../components/BarChart';
import { EmptyState, ItemsView, LoadView } from '../components/common';
import { useDateRange } from '../dateRange';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';
import { UberStatusHistory, UberTransactions } from './DriverHistory';

type Measure = 'earnings' | 'trips' | 'hours_online' | 'hours_on_trip';
const MEASURES: Measure[] = ['earnings', 'trips', 'hours_online', 'hours_on_trip'];

function measureOf(row: UberDailyMetric, measure: Measure): number {
  return (measure === 'earnings' ? row.earnings_minor : row[measure]) ?? 0;
}

/** Uber: metric cards and a chart over the chosen days, then the payments, transactions and status changes. */
export function UberActivity({ driverId }: { driverId: string }) {
  const { range } = useDateRange();
  const key = `${driverId}|${range.from}|${range.to}`;
  const [metrics, retryMetrics] = useLoad(key, (signal) => uberMetrics(driverId, range, signal));
  const [payments, retryPayments] = useLoad(key, (signal) => uberPayments(driverId, range, signal));
  const { t } = useI18n();
  return (
    <>
      <LoadView state={metrics} retry={retryMetrics}>
        {(data) => <UberMetrics rows={data.items} />}
      </LoadView>
      <h3>{t('payments.title')}</h3>
      <ItemsView state={payments} retry={retryPayments} empty={<EmptyState title={t('payments.empty')} />}>
        {(data) => (
          <ul className="payments">
            {data.items.map((p) => (
              <li key={p.payment_id} className="card payment">
                <Payment payment={p} />
              </li>
            ))}
          </ul>
        )}
      </ItemsView>
      <UberTransactions key={key} driverId={driverId} />
      <UberStatusHistory key={`status|${key}`} driverId={driverId} />
    </>
  );
}

function UberMetrics({ rows }: { rows: UberDailyMetric[] }) {
  const { t, formatNumber, formatMoney, formatHours, formatDay } = useI18n();
  const { range } = useDateRange();
  const id = useId();
  const [measure, setMeasure] = useState<Measure>('earnings');
  const currency = currencyOf(rows);
  const format = (v: number) =>
    measure === 'earnings' ? formatMoney(v, currency) : measure === 'trips' ? formatNumber(v) : formatHours(v);
  const series = perDay(rows, range, (r) => measureOf(r, measure));

  return (
    <>
      <ul className="cards" aria-label={t('metrics.summary')}>
        <Card label={t('metrics.trips')} value={formatNumber(total(rows, (r) => r.trips))} />
        <Card label={t('metrics.hoursOnline')} value={formatHours(total(rows, (r) => r.hours_online))} />
        <Card label={t('metrics.hoursOnTrip')} value={formatHours(total(rows, (r) => r.hours_on_trip))} />
        <Card label={t('metrics.earnings')} value={formatMoney(total(rows, (r) => r.earnings_minor), currency)} />
      </ul>
      {rows.length === 0 ? (
        <EmptyState title={t('metrics.empty')} />
      ) : (
        <>
          <div className="field inline">
            <label htmlFor={`${id}-measure`}>{t('metrics.chartMeasure')}</label>
            <select id={`${id}-measure`} value={measure} onChange={(e) => setMeasure(e.target.value as Measure)}>
              {MEASURES.map((m) => (
                <option key={m} value={m}>
                  {t(`metrics.measure.${m}`)}
                </option>
              ))}
            </select>
          </div>
          <BarChart
            title={t(`metrics.measure.${measure}`)}
            labels={series.days.map((d) => formatDay(d, false))}
            series={[{ name: t(`metrics.measure.${measure}`), values: series.values, tone: 'primary' }]}
            format={format}
          />
        </>
      )}
    </>
  );
}

export function Card({ label, value }: { label: string; value: string }) {
  return (
    <li className="card metric">
      <span className="metric-label">{label}</span>
      <span className="metric-value">{value}</span>
    </li>
  );
}

/** A payment by its day (Paris); the breakdown opens below. */
function Payment({ payment }: { payment: UberPayment }) {
  const { t, formatDay, formatMoney } = useI18n();
  const currency = payment.currency ?? 'EUR';
  return (
    <details>
      <summary>
        <time dateTime={payment.day}>{formatDay(payment.day)}</time> —{' '}
        <strong>{formatMoney(payment.amount_minor, currency)}</strong>
        <span className="visually-hidden"> {t('payments.showBreakdown')}</span>
      </summary>
      {payment.breakdown.length === 0 ? (
        <p className="muted">{t('payments.noBreakdown')}</p>
      ) : (
        <Breakdown lines={payment.breakdown} currency={currency} />
      )}
    </details>
  );
}

function Breakdown({ lines, currency }: { lines: BreakdownLine[]; currency: string }) {
  const { formatMoney } = useI18n();
  return (
    <ul className="breakdown">
      {lines.map((line, i) => (
        <li key={`${line.category}-${i}`}>
          <span className="breakdown-line">
            <span>{line.category}</span>
            <span className="amount">{formatMoney(line.amount_minor, currency)}</span>
          </span>
          {line.children && line.children.length > 0 && <Breakdown lines={line.children} currency={currency} />}
        </li>
      ))}
    </ul>
  );
}
