// The figures of one platform as a row of cards: the fleet's on the overview, a person's on
// their page (both answers share UberFigures and BoltFigures).
import type { ReactNode } from 'react';
import type { BoltFigures, UberFigures } from '../api/client';
import { useI18n } from '../i18n/I18nProvider';
import { Card } from '../pages/UberActivity';

export function currencyOf(figures: (UberFigures | BoltFigures)[]): string {
  return figures.find((f) => f.currency)?.currency ?? 'EUR';
}

/** Uber: trips, hours online and on trip, earnings; `children` adds cards after them. */
export function UberCards({ totals, label, children }: { totals: UberFigures; label: string; children?: ReactNode }) {
  const { t, formatNumber, formatMoney, formatHours } = useI18n();
  return (
    <ul className="cards" aria-label={label}>
      <Card label={t('metrics.trips')} value={formatNumber(totals.trips)} />
      <Card label={t('metrics.hoursOnline')} value={formatHours(totals.hours_online)} />
      <Card label={t('metrics.hoursOnTrip')} value={formatHours(totals.hours_on_trip)} />
      <Card label={t('metrics.earnings')} value={formatMoney(totals.earnings_minor, currencyOf([totals]))} />
      {children}
    </ul>
  );
}

/** Bolt: orders, gross, commission, net, tips, cash and in-app; `children` adds cards after them. */
export function BoltCards({ totals, label, children }: { totals: BoltFigures; label: string; children?: ReactNode }) {
  const { t, formatNumber, formatMoney } = useI18n();
  const money = (v: number) => formatMoney(v, currencyOf([totals]));
  return (
    <ul className="cards" aria-label={label}>
      <Card label={t('earnings.orders')} value={formatNumber(totals.orders)} />
      <Card label={t('earnings.gross')} value={money(totals.gross_minor)} />
      <Card label={t('earnings.commission')} value={money(totals.commission_minor)} />
      <Card label={t('earnings.net')} value={money(totals.net_minor)} />
      <Card label={t('earnings.tips')} value={money(totals.tips_minor)} />
      <Card label={t('earnings.cash')} value={money(totals.cash_minor)} />
      <Card label={t('earnings.inApp')} value={money(totals.in_app_minor)} />
      {children}
    </ul>
  );
}
