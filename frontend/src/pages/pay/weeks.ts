// ISO weeks (Monday first) for the pay pages: the current one in Paris, each week's Monday
// and Sunday, and the weeks around one for the picker.
import { shiftWeek } from '../QualityPage';

const DAY_MS = 86400000;

export { shiftWeek };

/** The ISO week of a calendar day (YYYY-MM-DD). */
export function weekOfDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const date = Date.UTC(y!, m! - 1, d!);
  const thursday = date + (3 - ((new Date(date).getUTCDay() + 6) % 7)) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const n = Math.floor((thursday - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return `${year}-W${String(n).padStart(2, '0')}`;
}

/** This week, by the Paris calendar (the week whose pay is still open). */
export function currentWeek(now: Date = new Date()): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(now);
  return weekOfDay(day);
}

/** The Monday and the Sunday of an ISO week, as YYYY-MM-DD. */
export function weekDays(week: string): { monday: string; sunday: string } {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) return { monday: '', sunday: '' };
  const jan4 = Date.UTC(Number(m[1]), 0, 4);
  const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS + (Number(m[2]) - 1) * 7 * DAY_MS;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { monday: iso(monday), sunday: iso(monday + 6 * DAY_MS) };
}

/** The weeks offered by the picker: `before` weeks before `week` to `after` weeks after it, newest first. */
export function weeksAround(week: string, before = 12, after = 2): string[] {
  const out: string[] = [];
  for (let k = after; k >= -before; k -= 1) out.push(shiftWeek(week, k));
  return out;
}

/** "12,50" or "12.5" euros as cents; null when it is not an amount. */
export function parseEuros(text: string): number | null {
  const clean = text.replace(/\s|€/g, '').replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(clean)) return null;
  return Math.round(Number(clean) * 100);
}
