import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { setSession } from '../api/client';
import { I18nProvider } from '../i18n/I18nProvider';
import { jsonResponse, mockFetch } from '../test/http';
import { shiftWeek } from './QualityPage';

const REASON = 'state_logs, compte 70001 : non couvert du 03/03/2026 10:00 au 03/03/2026 12:00';

function platform(provider: string, status: string, gaps: { start: string; end: string }[]) {
  return {
    provider,
    start: '2026-03-02T03:00:00Z',
    end: '2026-03-09T03:00:00Z',
    settled_at: '2026-03-12T03:00:00Z',
    status,
    reasons: gaps.length ? [REASON] : [],
    resources: [
      {
        resource: provider === 'uber' ? 'payments' : 'state_logs',
        account_id: provider === 'uber' ? 'uber-org' : '70001',
        covered: [{ start: '2026-03-02T03:00:00Z', end: '2026-03-09T03:00:00Z' }],
        gaps,
      },
    ],
  };
}

const DIFFERENCE = {
  provider: 'bolt',
  account_id: '70001',
  driver_id: 'b-1',
  driver_name: 'Léa Martin',
  check: 'courses/gains',
  reference: null,
  left: 'prix des courses',
  left_minor: 3800,
  right: 'gains journaliers',
  right_minor: 3500,
  delta_minor: 300,
  reason: 'inexpliqué',
};

const UNDER = {
  provider: 'uber',
  account_id: 'uber-org',
  driver_id: 'u-1',
  driver_name: null,
  ride_id: 'trip-2',
  at: '2026-03-03T10:30:00Z',
  net_minor: 850,
  minimum_minor: 900,
  shortfall_minor: 50,
  floor: 'course',
  rule_since: '2024-02-01',
  seconds: null,
  metres: null,
};

function checks(url: URL) {
  const week = url.searchParams.get('week');
  if (url.pathname === '/quality/reconciliation') {
    const bounds = { uber_start: '', uber_end: '', bolt_start: '', bolt_end: '' };
    return jsonResponse({ week, ...bounds, drivers: 2, differences: week === '2026-W10' ? [DIFFERENCE] : [] });
  }
  if (url.pathname === '/quality/minimum-fares') {
    return jsonResponse({ week, rides: 4, under: week === '2026-W10' ? [UNDER] : [] });
  }
  return jsonResponse({ items: [], next_cursor: null });
}

function api() {
  return mockFetch((url) => {
    if (url.pathname !== '/quality/weeks') return checks(url);
    const week = url.searchParams.get('week') ?? '2026-W10';
    const gap = { start: '2026-03-03T09:00:00Z', end: '2026-03-03T11:00:00Z' };
    return jsonResponse({
      week,
      platforms: [platform('uber', 'complet', []), platform('bolt', 'incomplet', [gap])],
    });
  });
}

function openQuality() {
  setSession('tok', 3600, { user_id: 'u1', email: 'a@b.fr', org_id: 'o1', role: 'viewer' } as never);
  window.history.replaceState(null, '', '/qualite');
  return render(
    <I18nProvider>
      <App />
    </I18nProvider>,
  );
}

describe('data quality page', () => {
  it('shows each platform complete or not, why, and its gaps; previous asks the week before', async () => {
    const fetchMock = api();
    openQuality();

    expect(await screen.findByRole('heading', { level: 1, name: 'Qualité des données' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Semaine 2026-W10' })).toBeTruthy();
    const uber = screen.getByRole('region', { name: /Uber/ });
    const bolt = screen.getByRole('region', { name: /Bolt/ });
    expect(within(uber).getByText('complet')).toBeTruthy();
    expect(within(bolt).getByText('incomplet')).toBeTruthy();
    expect(within(bolt).getByRole('list', { name: 'Pourquoi la semaine est incomplète' }).textContent).toBe(REASON);
    expect(within(bolt).getByText('non couvert du 03/03/2026 10:00 au 03/03/2026 12:00')).toBeTruthy();

    const differences = await screen.findByRole('region', { name: 'Rapprochement des sources' });
    const row = within(differences).getByRole('row', { name: /Léa Martin/ });
    expect(within(row).getByText('inexpliqué')).toBeTruthy();
    expect(row.textContent).toContain('3,00');
    const under = await screen.findByRole('region', { name: 'Courses payées sous le minimum légal' });
    expect(within(under).getByRole('row', { name: /trip-2/ }).textContent).toContain('0,50');

    fireEvent.click(screen.getByRole('button', { name: '← Semaine précédente' }));
    expect(await screen.findByRole('heading', { name: 'Semaine 2026-W09' })).toBeTruthy();
    const weeks = fetchMock.mock.calls
      .map(([input]) => new URL(String(input), 'http://localhost'))
      .filter((u) => u.pathname === '/quality/weeks')
      .map((u) => u.searchParams.get('week'));
    expect(weeks).toEqual([null, '2026-W09']);
    expect(await screen.findByText('Aucun écart sur 2 chauffeur(s) comparé(s).')).toBeTruthy();
    expect(await screen.findByText('Aucune course sous le minimum (4 course(s) vérifiée(s)).')).toBeTruthy();
  });

  it('steps ISO weeks across year ends, 53-week years included', () => {
    expect(shiftWeek('2026-W10', -1)).toBe('2026-W09');
    expect(shiftWeek('2026-W01', -1)).toBe('2025-W52');
    expect(shiftWeek('2026-W52', 1)).toBe('2026-W53');
    expect(shiftWeek('2026-W53', 1)).toBe('2027-W01');
    expect(shiftWeek('2021-W01', -1)).toBe('2020-W53');
  });
});
