import { render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { setSession } from '../api/client';
import { I18nProvider } from '../i18n/I18nProvider';
import { jsonResponse, mockFetch } from '../test/http';

const NO_UBER = { trips: 0, hours_online: 0, hours_on_trip: 0, earnings_minor: 0, currency: null, active_drivers: 0 };
const NO_BOLT = {
  orders: 0,
  gross_minor: 0,
  commission_minor: 0,
  net_minor: 0,
  tips_minor: 0,
  tolls_minor: 0,
  cash_minor: 0,
  in_app_minor: 0,
  currency: null,
  active_drivers: 0,
};
const UBER_DAY = { trips: 15, hours_online: 17, hours_on_trip: 12.5, earnings_minor: 13345, currency: 'EUR', active_drivers: 2 };
const BOLT_DAY = {
  orders: 4,
  gross_minor: 10000,
  commission_minor: 2000,
  net_minor: 8000,
  tips_minor: 100,
  tolls_minor: 50,
  cash_minor: 2500,
  in_app_minor: 7500,
  currency: 'EUR',
  active_drivers: 1,
};

/** Two days: figures on the first, zeros on the second (as the API draws an empty day). */
const OVERVIEW = {
  first_day: '2026-03-01',
  last_day: '2026-03-02',
  days: [
    { day: '2026-03-01', uber: UBER_DAY, bolt: BOLT_DAY },
    { day: '2026-03-02', uber: NO_UBER, bolt: NO_BOLT },
  ],
  uber: UBER_DAY,
  bolt: BOLT_DAY,
  drivers: [
    { provider: 'bolt', status: 'active', drivers: 2 },
    { provider: 'bolt', status: 'suspended', drivers: 1 },
    { provider: 'uber', status: 'active', drivers: 3 },
  ],
};

function openOverview(provider: 'uber' | 'bolt' | 'all') {
  window.localStorage.setItem('fm.provider', provider);
  setSession('tok', 3600, { user_id: 'u1', email: 'a@b.fr', org_id: 'o1', role: 'viewer' } as never);
  window.history.replaceState(null, '', '/vue-d-ensemble');
  const fetchMock = mockFetch((url) =>
    url.pathname === '/fleet/overview' ? jsonResponse(OVERVIEW) : jsonResponse({ items: [], next_cursor: null }),
  );
  render(
    <I18nProvider>
      <App />
    </I18nProvider>,
  );
  return fetchMock;
}

const cardsOf = (list: HTMLElement) =>
  within(list)
    .getAllByRole('listitem')
    .map((card) => card.textContent?.replace(/\s/g, ' '));

describe('overview page', () => {
  it('shows both providers’ fleet totals, a chart per day and the drivers by status', async () => {
    const fetchMock = openOverview('all');

    expect(await screen.findByRole('heading', { level: 1, name: "Vue d'ensemble" })).toBeTruthy();
    const nav = screen.getByRole('navigation', { name: 'Navigation principale' });
    expect(within(nav).getByRole('link', { name: "Vue d'ensemble" }).getAttribute('aria-current')).toBe('page');
    const uber = await screen.findByRole('list', { name: 'Uber : totaux de la flotte sur la période' });
    expect(cardsOf(uber)).toEqual([
      'Courses15',
      'Heures en ligne17 h',
      'Heures en course12,5 h',
      'Revenus133,45 €',
      'Chauffeurs actifs2',
    ]);
    const bolt = screen.getByRole('list', { name: 'Bolt : totaux de la flotte sur la période' });
    expect(cardsOf(bolt)).toContain('Brut100,00 €');
    expect(cardsOf(bolt)).toContain('Espèces25,00 €');
    // every day is drawn (zeros included); bars only where there is money: Uber 1, Bolt in-app + cash
    const charts = [...document.querySelectorAll('figure.chart')];
    expect(charts.map((chart) => chart.getAttribute('data-points'))).toEqual(['2', '2']);
    await waitFor(
      () => expect(charts.map((chart) => chart.querySelectorAll('.chart-bar .recharts-rectangle').length)).toEqual([1, 2]),
      { timeout: 15_000 }, // the plot is a chunk of its own; its first import takes seconds
    );
    expect(cardsOf(screen.getByRole('list', { name: 'Chauffeurs Bolt par statut' }))).toEqual(['Actif 2', 'Suspendu 1']);
    expect(screen.getByRole('heading', { level: 3, name: 'Chauffeurs Bolt de la flotte : 3' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Exporter en CSV' })).toBeTruthy();

    const asked = fetchMock.mock.calls
      .map(([input]) => new URL(String(input), 'http://localhost'))
      .filter((u) => u.pathname === '/fleet/overview');
    expect(asked).toHaveLength(1);
    expect(asked[0]!.searchParams.get('from')! <= asked[0]!.searchParams.get('to')!).toBe(true);
  });

  it('follows the provider switch, in English when English is chosen', async () => {
    window.localStorage.setItem('fm.lang', 'en');
    openOverview('bolt');

    expect(await screen.findByRole('heading', { level: 1, name: 'Overview' })).toBeTruthy();
    const bolt = await screen.findByRole('list', { name: 'Bolt: fleet totals for the period' });
    expect(cardsOf(bolt)).toContain('Net€80.00');
    expect(cardsOf(bolt)).toContain('Active drivers1');
    expect(screen.queryByRole('heading', { level: 2, name: 'Uber' })).toBeNull();
    expect(screen.getByRole('heading', { level: 3, name: "The fleet's Bolt drivers: 3" })).toBeTruthy();
  });
});
