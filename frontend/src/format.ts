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
