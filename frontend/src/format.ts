// Dates and numbers through Intl. Fleet times are shown in Paris time whatever
// the browser's own time zone is.

export const TIME_ZONE = 'Europe/Paris';

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function dateTimeFormat(locale: string): Intl.DateTimeFormat {
  let format = dateTimeFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      dateStyle: 'short',
      timeStyle: 'short',
      timeZone: TIME_ZONE,
    });
    dateTimeFormats.set(locale, format);
  }
  return format;
}

/**
 * An ISO-8601 instant as a short date and time in Europe/Paris,
 * e.g. "02/07/2024 00:30" (fr-FR) or "02/07/2024, 00:30" (en-GB).
 * Returns `fallback` for a missing or unparsable value.
 */
export function formatDateTime(iso: string | null | undefined, locale = 'fr-FR', fallback = '—'): string {
  if (!iso) return fallback;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return fallback;
  return dateTimeFormat(locale).format(date);
}

export function formatNumber(value: number, locale = 'fr-FR'): string {
  let format = numberFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(locale);
    numberFormats.set(locale, format);
  }
  return format.format(value);
}

const currencyDigits = new Map<string, number>();

/** How many minor units the currency has (EUR 2, JPY 0), per Intl. */
export function minorDigits(currency: string): number {
  let digits = currencyDigits.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2; // unknown code: assume cents
    }
    currencyDigits.set(currency, digits);
  }
  return digits;
}

/**
 * An integer amount in minor units as an exact decimal string ('-1234.05' for -123405, 2).
 * Built from digits, not by dividing a float, so no amount is ever off by a cent.
 */
export function minorToDecimal(minor: number, digits: number): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`not an integer amount: ${minor}`);
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  if (digits === 0) return sign + text;
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** An amount in minor units as money, e.g. 123456 EUR → '1 234,56 €' (fr-FR). */
export function formatMoney(minor: number | null | undefined, currency = 'EUR', locale = 'fr-FR', fallback = '—'): string {
  if (minor === null || minor === undefined || !Number.isFinite(minor)) return fallback;
  const key = `${locale}|${currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    moneyFormats.set(key, format);
  }
  // Intl formats a decimal string exactly (ES2023); the cast is for older lib typings.
  return format.format(minorToDecimal(Math.round(minor), minorDigits(currency)) as unknown as number);
}

/** Hours with at most one decimal, e.g. 7.25 → '7,3 h' (fr-FR). */
export function formatHours(hours: number | null | undefined, locale = 'fr-FR', fallback = '—'): string {
  if (hours === null || hours === undefined || !Number.isFinite(hours)) return fallback;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(hours)} h`;
}
