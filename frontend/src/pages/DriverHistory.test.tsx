import { fireEvent, render, screen, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { setSession } from '../api/client';
import { DateRangeProvider, useDateRange } from '../dateRange';
import { I18nProvider } from '../i18n/I18nProvider';
import { jsonResponse, mockFetch } from '../test/http';
import { BoltStateLogs, UberStatusHistory, UberTransactions } from './DriverHistory';

const NOW = () => new Date('2026-03-10T12:00:00Z');

function renderIn(node: ReactNode) {
  setSession('tok', 3600, { user_id: 'u1', email: 'a@b.fr', org_id: 'o1', role: 'viewer' } as never);
  return render(
    <I18nProvider>
      <DateRangeProvider now={NOW}>{node}</DateRangeProvider>
    </I18nProvider>,
  );
}

/** Stands for the date picker: moves the shared range to last week. */
function LastWeekButton() {
  const { setPreset } = useDateRange();
  return (
    <button type="button" onClick={() => setPreset('lastWeek')}>
      Semaine dernière
    </button>
  );
}

function transaction(id: string, cents: number) {
  return {
    transaction_id: id,
    account_id: 'acct',
    trip_id: `trip-${id}`,
    processed_at: '2026-03-02T09:15:00Z',
    description: 'Course',
    amount_minor: cents,
    currency: 'EUR',
    breakdown: [],
  };
}

describe('driver histories', () => {
  it('shows the Uber transactions in euros and pages with next_cursor', async () => {
    const fetchMock = mockFetch((url) =>
      url.searchParams.get('cursor') === 'c2'
        ? jsonResponse({ items: [transaction('t2', -250)], next_cursor: null })
        : jsonResponse({ items: [transaction('t1', 123456)], next_cursor: 'c2' }),
    );
    renderIn(<UberTransactions driverId="d/1" />);

    const table = await screen.findByRole('table', { name: 'Transactions' });
    const row = within(table).getByRole('row', { name: /trip-t1/ });
    expect(within(row).getAllByRole('cell').map((c) => c.textContent?.replace(/\s/g, ' '))).toEqual([
      'Course',
      'trip-t1',
      '1 234,56 €',
    ]);
    fireEvent.click(screen.getByRole('button', { name: 'Suivant' }));
    expect(await screen.findByText('trip-t2')).toBeTruthy();

    const urls = fetchMock.mock.calls.map(([input]) => new URL(String(input), 'http://localhost'));
    expect(urls.map((u) => u.pathname)).toEqual(['/fleet/drivers/d%2F1/transactions', '/fleet/drivers/d%2F1/transactions']);
    expect(urls.map((u) => u.searchParams.get('cursor'))).toEqual([null, 'c2']);
    const first = urls[0]!;
    expect([first.searchParams.get('from'), first.searchParams.get('to')]).toEqual(['2026-02-09', '2026-03-10']);
    expect(first.searchParams.get('limit')).toBe('50');
    // Only what the route takes: the shared range's preset is no query parameter (a 422).
    expect([...first.searchParams.keys()].sort()).toEqual(['from', 'limit', 'to']);
  });

  it('names the Bolt states in French, one page without pagination', async () => {
    mockFetch((url) =>
      url.pathname === '/bolt/drivers/b1/state-logs'
        ? jsonResponse({
            items: [
              { created_at: '2026-03-02T08:00:00Z', state: 'waiting_orders', company_id: 1, vehicle_uuid: 'bv1', lat: null, lng: null },
              { created_at: '2026-03-02T08:05:00Z', state: 'has_order', company_id: 1, vehicle_uuid: null, lat: null, lng: null },
            ],
            next_cursor: null,
          })
        : url.pathname === '/bolt/vehicles/bv1'
          ? jsonResponse({ vehicle_id: 'bv1', provider: 'bolt', account_id: '1', plate: 'AB-123-CD', make: 'Toyota', model: 'Prius', color: null, year: null, status: null, updated_at: '2026-03-01T00:00:00Z' })
          : jsonResponse({ items: [], next_cursor: null }),
    );
    renderIn(<BoltStateLogs driverId="b1" />);
    await screen.findByText('AB-123-CD · Toyota Prius'); // the vehicle by its plate and model, not its uuid
    const table = await screen.findByRole('table', { name: 'Historique des états' });
    const states = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((r) => within(r).getAllByRole('cell').map((c) => c.textContent));
    expect(states).toEqual([
      ['En attente de course', 'AB-123-CD · Toyota Prius'],
      ['En course', '—'],
    ]);
    expect(screen.queryByRole('navigation', { name: 'Pagination' })).toBeNull();
  });

  it('shows the Uber status changes in French, in Paris time, over the chosen days', async () => {
    const fetchMock = mockFetch(() =>
      jsonResponse({
        items: [
          { status_at: '2026-03-02T07:00:00Z', status: 'DRIVER_STATUS_ONLINE' },
          { status_at: '2026-03-02T07:20:00Z', status: 'DRIVER_STATUS_ONTRIP' },
          { status_at: '2026-03-02T09:00:00Z', status: 'DRIVER_STATUS_SOMETHING_NEW' },
        ],
        next_cursor: null,
      }),
    );
    renderIn(<UberStatusHistory driverId="d1" />);
    const table = await screen.findByRole('table', { name: 'Historique des statuts' });
    const rows = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((r) => [within(r).getByRole('rowheader').textContent, within(r).getByRole('cell').textContent]);
    expect(rows).toEqual([
      ['02/03/2026 08:00', 'En ligne'],
      ['02/03/2026 08:20', 'En course'],
      ['02/03/2026 10:00', 'DRIVER_STATUS_SOMETHING_NEW'],
    ]);
    const url = new URL(String(fetchMock.mock.calls[0]![0]), 'http://localhost');
    expect(url.pathname).toBe('/fleet/drivers/d1/status-history');
    expect([url.searchParams.get('from'), url.searchParams.get('to')]).toEqual(['2026-02-09', '2026-03-10']);
  });

  it('says when a driver has no status changes over the days', async () => {
    mockFetch(() => jsonResponse({ items: [], next_cursor: null }));
    renderIn(<UberStatusHistory driverId="d1" />);
    expect(await screen.findByText('Aucun changement de statut sur cette période')).toBeTruthy();
  });

  it('says when a driver has no transactions over the days', async () => {
    mockFetch(() => jsonResponse({ items: [], next_cursor: null }));
    renderIn(<UberTransactions driverId="d1" />);
    expect(await screen.findByText('Aucune transaction sur cette période')).toBeTruthy();
  });

  it('starts again from the first page when the days change', async () => {
    const fetchMock = mockFetch((url) =>
      url.searchParams.get('cursor') === 'c2'
        ? jsonResponse({ items: [transaction('t2', 100)], next_cursor: null })
        : jsonResponse({ items: [transaction('t1', 100)], next_cursor: 'c2' }),
    );
    renderIn(
      <>
        <LastWeekButton />
        <UberTransactions driverId="d1" />
      </>,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Suivant' }));
    expect(await screen.findByText('Page 2')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Semaine dernière' }));
    expect(await screen.findByText('trip-t1')).toBeTruthy();
    expect(screen.getByText('Page 1')).toBeTruthy();
    const last = new URL(String(fetchMock.mock.calls.at(-1)![0]), 'http://localhost');
    expect([last.searchParams.get('cursor'), last.searchParams.get('from')]).toEqual([null, '2026-03-02']);
  });
});
