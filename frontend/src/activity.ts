// Sums and per-day series for the driver's activity pages.
import { daysBetween, type DayRange } from './dates';

/** Sums `pick` over the rows (0 when there are none). */
export function total<T>(rows: T[], pick: (row: T) => number | null | undefined): number {
  return rows.reduce((sum, row) => sum + (pick(row) ?? 0), 0);
}

/** One value per day of the range (null on days without a row), for the chart. */
export function perDay<T extends { day: string }>(
  rows: T[],
  range: DayRange,
  pick: (row: T) => number,
): { days: string[]; values: (number | null)[] } {
  const byDay = new Map<string, number>();
  for (const row of rows) byDay.set(row.day, (byDay.get(row.day) ?? 0) + pick(row));
  const days = daysBetween(range);
  return { days, values: days.map((d) => byDay.get(d) ?? null) };
}

/** The currency of the rows (they share one), EUR when there are none. */
export function currencyOf(rows: { currency: string | null }[]): string {
  return rows.find((row) => row.currency)?.currency ?? 'EUR';
}
