import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, mondayOf, parisPeriod, parisStart, parisToday, presetRange } from './dates';

describe('parisToday', () => {
  it('is the Paris calendar day, not the UTC one', () => {
    expect(parisToday(new Date('2024-07-01T22:30:00Z'))).toBe('2024-07-02'); // CEST, UTC+2
    expect(parisToday(new Date('2024-01-15T23:15:00Z'))).toBe('2024-01-16'); // CET, UTC+1
    expect(parisToday(new Date('2024-01-15T22:59:00Z'))).toBe('2024-01-15');
  });
});

describe('date presets (Europe/Paris, weeks Monday → Sunday)', () => {
  it('"cette semaine" starts on Monday even at 00:30 Monday in Paris (still Sunday in UTC)', () => {
    // 2025-03-30T22:30Z is Monday 31 March 00:30 in Paris, the day after the spring change.
    expect(presetRange('thisWeek', new Date('2025-03-30T22:30:00Z'))).toEqual({ from: '2025-03-31', to: '2025-04-06' });
  });

  it('"semaine dernière" spans the spring DST change with seven days, Monday to Sunday', () => {
    const range = presetRange('lastWeek', new Date('2025-03-30T22:30:00Z'));
    expect(range).toEqual({ from: '2025-03-24', to: '2025-03-30' });
    expect(daysBetween(range)).toHaveLength(7);
  });

  it('the week of the autumn DST change is Monday 20 → Sunday 26 October 2025', () => {
    // Sunday 26 October 2025, 23:30 in Paris (CET, UTC+1) = 22:30Z: still that week.
    expect(presetRange('thisWeek', new Date('2025-10-26T22:30:00Z'))).toEqual({ from: '2025-10-20', to: '2025-10-26' });
    // One hour later it is Monday 27 in Paris.
    expect(presetRange('thisWeek', new Date('2025-10-26T23:30:00Z'))).toEqual({ from: '2025-10-27', to: '2025-11-02' });
    expect(presetRange('lastWeek', new Date('2025-10-26T23:30:00Z'))).toEqual({ from: '2025-10-20', to: '2025-10-26' });
  });

  it('a Sunday belongs to the week that started six days earlier', () => {
    expect(mondayOf('2024-09-01')).toBe('2024-08-26');
    expect(mondayOf('2024-09-02')).toBe('2024-09-02');
  });

  it('"ce mois-ci" is the whole Paris month, including February of a leap year', () => {
    expect(presetRange('thisMonth', new Date('2024-02-29T23:30:00Z'))).toEqual({ from: '2024-03-01', to: '2024-03-31' });
    expect(presetRange('thisMonth', new Date('2024-02-10T12:00:00Z'))).toEqual({ from: '2024-02-01', to: '2024-02-29' });
  });

  it('"30 derniers jours" ends today (Paris) and has 30 days, across the change of year', () => {
    const range = presetRange('last30', new Date('2025-01-10T08:00:00Z'));
    expect(range).toEqual({ from: '2024-12-12', to: '2025-01-10' });
    expect(daysBetween(range)).toHaveLength(30);
  });

  it('adds days on the calendar', () => {
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2025-03-31', -1)).toBe('2025-03-30');
  });
});

describe('parisPeriod', () => {
  it('is one Paris day for a report from midnight to the next midnight (end excluded)', () => {
    expect(parisPeriod('2026-03-01T23:00:00Z', '2026-03-02T23:00:00Z')).toEqual({ from: '2026-03-02', to: '2026-03-02' });
  });

  it('spans the days of a longer period, and is null without both bounds', () => {
    expect(parisPeriod('2026-02-28T23:00:00Z', '2026-03-07T23:00:00Z')).toEqual({ from: '2026-03-01', to: '2026-03-07' });
    expect(parisPeriod(null, '2026-03-07T23:00:00Z')).toBeNull();
    expect(parisPeriod('2026-03-01T23:00:00Z', 'garbage')).toBeNull();
  });
});

describe('parisStart', () => {
  it('is Paris midnight with the offset of the season', () => {
    expect(parisStart('2024-01-15')).toBe('2024-01-15T00:00:00+01:00');
    expect(parisStart('2024-07-02')).toBe('2024-07-02T00:00:00+02:00');
    // the spring change happens at 02:00 on 31 March 2024: midnight is still in winter time
    expect(parisStart('2024-03-31')).toBe('2024-03-31T00:00:00+01:00');
    expect(parisStart('2024-10-28')).toBe('2024-10-28T00:00:00+01:00');
  });
});
