import { describe, expect, it } from 'vitest';
import { formatDateTime, formatNumber } from './format';

describe('formatDateTime (Europe/Paris)', () => {
  it('shows summer instants in CEST (UTC+2), across midnight', () => {
    expect(formatDateTime('2024-07-01T22:30:00Z', 'fr-FR')).toBe('02/07/2024 00:30');
  });

  it('shows winter instants in CET (UTC+1)', () => {
    expect(formatDateTime('2024-01-15T23:15:00Z', 'fr-FR')).toBe('16/01/2024 00:15');
  });

  it('honours an explicit offset in the ISO string', () => {
    expect(formatDateTime('2024-03-31T03:00:00+02:00', 'fr-FR')).toBe('31/03/2024 03:00');
  });

  it('formats in en-GB with the same Paris wall-clock time', () => {
    expect(formatDateTime('2024-07-01T22:30:00Z', 'en-GB')).toBe('02/07/2024, 00:30');
  });

  it('returns the fallback for missing or invalid values', () => {
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime('not a date', 'fr-FR', 'n/a')).toBe('n/a');
  });
});

describe('formatNumber', () => {
  it('uses the locale grouping', () => {
    expect(formatNumber(1234567, 'fr-FR')).toBe('1\u202f234\u202f567');
    expect(formatNumber(1234567, 'en-GB')).toBe('1,234,567');
  });
});

import { formatMoney, minorToDecimal } from './format';

describe('formatMoney (minor units → money)', () => {
  it('shows euros from cents in fr-FR', () => {
    expect(formatMoney(123456, 'EUR', 'fr-FR')).toBe('1\u202f234,56\u00a0€');
    expect(formatMoney(5, 'EUR', 'fr-FR')).toBe('0,05\u00a0€');
    expect(formatMoney(0, 'EUR', 'fr-FR')).toBe('0,00\u00a0€');
    expect(formatMoney(-1999, 'EUR', 'fr-FR')).toBe('-19,99\u00a0€');
  });

  it('is exact for amounts where a float division would not be', () => {
    expect(minorToDecimal(1005, 2)).toBe('10.05');
    expect(minorToDecimal(-7, 2)).toBe('-0.07');
    expect(formatMoney(900719925474099, 'EUR', 'en-GB')).toBe('€9,007,199,254,740.99');
  });

  it('keeps the provider currency and its minor digits', () => {
    expect(formatMoney(1234, 'JPY', 'fr-FR')).toBe('1\u202f234\u00a0JPY');
    expect(formatMoney(1234, 'EUR', 'en-GB')).toBe('€12.34');
  });

  it('shows the fallback for a missing amount', () => {
    expect(formatMoney(null)).toBe('—');
    expect(formatMoney(undefined, 'EUR', 'fr-FR', 'n/a')).toBe('n/a');
  });
});
