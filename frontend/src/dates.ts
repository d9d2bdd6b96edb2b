// Calendar days in Europe/Paris and the date-range presets of the dashboard.
//
// A day is a plain 'YYYY-MM-DD' string: the API takes days, not instants. Only "today" needs
// the clock and the time zone (Intl gives the Paris wall-clock date of an instant); all the
// arithmetic after that is on calendar days (in UTC, which has no DST), so a week that
// contains a clock change still has seven days and starts on a Monday.
import { TIME_ZONE } from './format';

export type PresetId = 'thisWeek' | 'lastWeek' | 'thisMonth' | 'last30';
export const PRESETS: readonly PresetId[] = ['thisWeek', 'lastWeek', 'thisMonth', 'last30'];

export interface DayRange {
  from: string;
  to: string;
}

const parisDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Paris calendar day of an instant, e.g. 2024-03-31T22:30Z → '2024-04-01'. */
export function parisToday(now: Date = new Date()): string {
  return parisDay.format(now); // en-CA formats as YYYY-MM-DD
}

function toUtc(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d));
}

function fromUtc(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  const date = toUtc(day);
  date.setUTCDate(date.getUTCDate() + days);
  return fromUtc(date);
}

/** The Monday of the (Monday→Sunday) week containing `day`. */
export function mondayOf(day: string): string {
  const weekday = (toUtc(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return addDays(day, -weekday);
}

export function presetRange(preset: PresetId, now: Date = new Date()): DayRange {
  const today = parisToday(now);
  switch (preset) {
    case 'thisWeek': {
      const monday = mondayOf(today);
      return { from: monday, to: addDays(monday, 6) };
    }
    case 'lastWeek': {
      const monday = addDays(mondayOf(today), -7);
      return { from: monday, to: addDays(monday, 6) };
    }
    case 'thisMonth': {
      const first = `${today.slice(0, 7)}-01`;
      const next = toUtc(first);
      next.setUTCMonth(next.getUTCMonth() + 1);
      return { from: first, to: addDays(fromUtc(next), -1) };
    }
    case 'last30':
      return { from: addDays(today, -29), to: today };
  }
}

/** Every day from `from` to `to`, both included (empty when reversed). */
export function daysBetween({ from, to }: DayRange): string[] {
  const days: string[] = [];
  for (let day = from; day <= to && days.length < 400; day = addDays(day, 1)) days.push(day);
  return days;
}

export function isDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && fromUtc(toUtc(value)) === value;
}

/** A day as the locale writes it, e.g. '31/03' (fr-FR, short) or '31/03/2024'. */
export function formatDay(day: string, locale: string, withYear = true): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: 'UTC', // the day is already a Paris calendar day
    day: '2-digit',
    month: '2-digit',
    ...(withYear ? { year: 'numeric' } : {}),
  }).format(toUtc(day));
}

/**
 * The Paris days covered by a period of instants whose end is excluded, as Uber's reports
 * have it (a day's report runs from midnight to the next midnight): the last day is that of
 * the instant just before `end`. Null when either bound is missing or unreadable.
 */
export function parisPeriod(start: string | null | undefined, end: string | null | undefined): DayRange | null {
  const from = start ? new Date(start) : null;
  const until = end ? new Date(end) : null;
  if (!from || !until || Number.isNaN(from.getTime()) || Number.isNaN(until.getTime())) return null;
  const last = new Date(Math.max(from.getTime(), until.getTime() - 1));
  return { from: parisToday(from), to: parisToday(last) };
}

const parisOffset = new Intl.DateTimeFormat('en-US', { timeZone: TIME_ZONE, timeZoneName: 'longOffset' });

/**
 * The instant a Paris day starts, with its offset, e.g. '2024-03-31' → '2024-03-31T00:00:00+01:00':
 * the API's time windows take instants, not days. Paris changes its clocks at 01:00 UTC, so
 * the offset in force at 00:00 UTC of the day is also the one of its Paris midnight.
 */
export function parisStart(day: string): string {
  const name = parisOffset.formatToParts(toUtc(day)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const offset = name === 'GMT' ? 'Z' : name.slice(3);
  return `${day}T00:00:00${offset}`;
}
