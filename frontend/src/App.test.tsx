import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { setSession } from './api/client';
import { I18nProvider } from './i18n/I18nProvider';
import { driver, jsonResponse, mockFetch, person, problemResponse } from './test/http';

const ME = { user_id: 'u1', email: 'gestion@aadenis.fr', org_id: 'o1', role: 'manager' };

function renderApp() {
  return render(
    <I18nProvider>
      <App />
    </I18nProvider>,
  );
}

function signedIn() {
  setSession('tok', 3600, ME as never);
}

/** The platform accounts' list (the drivers of the switch's platform), where these tests start. */
function atAccounts() {
  window.history.replaceState(null, '', '/chauffeurs/comptes');
}

function driversCalls(fetchMock: ReturnType<typeof mockFetch>) {
  return fetchMock.mock.calls
    .map(([input]) => new URL(String(input), 'http://localhost'))
    .filter((url) => url.pathname === '/fleet/drivers');
}

describe('App', () => {
  it('logs in and shows the drivers with the header', async () => {
    mockFetch((url) => {
      if (url.pathname === '/auth/login')
        return jsonResponse({ access_token: 'tok', token_type: 'bearer', expires_in: 3600 });
      if (url.pathname === '/auth/me') return jsonResponse(ME);
      if (url.pathname === '/people') return jsonResponse({ items: [person()], next_cursor: null });
      return jsonResponse({ items: [], next_cursor: null });
    });
    renderApp();

    fireEvent.change(screen.getByLabelText('Adresse e-mail'), { target: { value: ME.email } });
    fireEvent.change(screen.getByLabelText('Mot de passe'), { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Se connecter' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Chauffeurs' })).toBeTruthy();
    expect(screen.getByText('Fleet Manager — AA DENIS MOBILITÉS')).toBeTruthy();
    expect(screen.getByText(ME.email)).toBeTruthy();
    // the redirect from / to /chauffeurs happens in an effect, after the first render
    await waitFor(() => expect(window.location.pathname).toBe('/chauffeurs'));
    const row = (await screen.findByRole('link', { name: 'Amina Diallo' })).closest('tr')!;
    const cells = within(row).getAllByRole('cell').map((cell) => cell.textContent);
    expect(cells).toEqual(['UberBolt', '+33 6 12 34 56 78', 'amina@example.fr']);
    for (const name of ['Plateformes', 'Téléphone', 'E-mail'])
      expect(screen.getAllByRole('columnheader', { name }).length).toBeGreaterThan(0);
  });

  it('pages forward with next_cursor and back with the cursor stack', async () => {
    const fetchMock = mockFetch((url) => {
      const cursor = url.searchParams.get('cursor');
      if (cursor === null)
        return jsonResponse({ items: [driver({ driver_id: 'd1', last_name: 'Un' })], next_cursor: 'c2' });
      if (cursor === 'c2')
        return jsonResponse({ items: [driver({ driver_id: 'd2', last_name: 'Deux' })], next_cursor: 'c3' });
      return jsonResponse({ items: [driver({ driver_id: 'd3', last_name: 'Trois' })], next_cursor: null });
    });
    atAccounts();
    signedIn();
    renderApp();

    await screen.findByRole('link', { name: 'Amina Un' });
    expect(screen.getByRole('button', { name: 'Précédent' })).toHaveProperty('disabled', true);
    fireEvent.click(screen.getByRole('button', { name: 'Suivant' }));
    await screen.findByRole('link', { name: 'Amina Deux' });
    fireEvent.click(screen.getByRole('button', { name: 'Suivant' }));
    await screen.findByRole('link', { name: 'Amina Trois' });
    expect(screen.getByRole('button', { name: 'Suivant' })).toHaveProperty('disabled', true);
    expect(screen.getByText('Page 3')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Précédent' }));
    await screen.findByRole('link', { name: 'Amina Deux' });

    expect(driversCalls(fetchMock).map((u) => u.searchParams.get('cursor'))).toEqual([null, 'c2', 'c3', 'c2']);
    expect(driversCalls(fetchMock).every((u) => u.searchParams.get('limit') === '50')).toBe(true);
  });

  it('debounces the search by 300 ms and restarts from the first page', async () => {
    const fetchMock = mockFetch((url) =>
      jsonResponse({ items: url.searchParams.get('q') ? [] : [driver()], next_cursor: null }),
    );
    atAccounts();
    signedIn();
    renderApp();
    await screen.findByRole('link', { name: 'Amina Diallo' });

    vi.useFakeTimers();
    try {
      const box = screen.getByLabelText('Rechercher un chauffeur');
      for (const value of ['d', 'du', 'dup']) fireEvent.change(box, { target: { value } });
      act(() => vi.advanceTimersByTime(299));
      expect(driversCalls(fetchMock)).toHaveLength(1);
      act(() => vi.advanceTimersByTime(1));
    } finally {
      vi.useRealTimers();
    }
    expect(await screen.findByText('Aucun chauffeur')).toBeTruthy();
    const calls = driversCalls(fetchMock);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.searchParams.get('q')).toBe('dup');
    expect(calls[1]!.searchParams.has('cursor')).toBe(false);
  });

  it('shows an error with "Réessayer" and retries', async () => {
    let fail = true;
    mockFetch(() =>
      fail ? problemResponse(500, 'Internal Server Error', 'boom') : jsonResponse({ items: [driver()], next_cursor: null }),
    );
    atAccounts();
    signedIn();
    renderApp();

    expect(screen.getByText('Chargement…')).toBeTruthy();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('boom');
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Réessayer' }));
    expect(await screen.findByRole('link', { name: 'Amina Diallo' })).toBeTruthy();
  });

  it('goes back to the login page with a message when the session expires', async () => {
    mockFetch(() => problemResponse(401, 'Unauthorized', 'Token expired'));
    signedIn();
    renderApp();

    expect(await screen.findByText('Votre session a expiré, veuillez vous reconnecter.')).toBeTruthy();
    expect(screen.getByLabelText('Adresse e-mail')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Se déconnecter' })).toBeNull();
  });

  it('opens a driver from the list and comes back with "Retour"', async () => {
    mockFetch((url) => {
      if (url.pathname === '/fleet/drivers/d-1') return jsonResponse(driver({ vehicle_ids: ['v-9'] }));
      if (url.pathname.startsWith('/fleet/drivers/d-1/')) return problemResponse(404, 'Not Found', 'no such route');
      if (url.pathname === '/fleet/vehicles/v-9')
        return jsonResponse({ vehicle_id: 'v-9', provider: 'uber', account_id: 'acc-1', plate: 'AB-123-CD', make: 'Toyota', model: 'Prius', color: null, year: null, status: null, updated_at: '2024-07-01T22:30:00Z' });
      if (url.pathname === '/fleet/orgs') return jsonResponse({ items: [{ account_id: 'acc-1', name: 'AA Denis Uber', parent_id: null }] });
      if (url.pathname === '/people') return jsonResponse({ items: [person()], next_cursor: null });
      if (url.pathname === '/people/unmapped') return jsonResponse({ items: [], next_cursor: null });
      return jsonResponse({ items: [driver()], next_cursor: null });
    });
    atAccounts();
    signedIn();
    renderApp();

    const link = await screen.findByRole('link', { name: 'Amina Diallo' });
    fireEvent.click(link.closest('tr')!.querySelector('td')!);
    expect(window.location.pathname).toBe('/chauffeurs/d-1');
    // The vehicle and the account by their names, not their ids.
    expect(await screen.findByText('AB-123-CD · Toyota Prius')).toBeTruthy();
    expect(await screen.findByText('AA Denis Uber')).toBeTruthy();
    expect(screen.queryByText('v-9')).toBeNull();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Amina Diallo');
    expect(screen.getByText('Uber', { selector: 'dd' })).toBeTruthy();
    // metrics, payments, transactions and status history: each section says so on its own
    expect(await screen.findAllByText('Ces données ne sont pas encore disponibles.')).toHaveLength(4);

    // Back to the people ("Chauffeurs"), where Amina is one person with both accounts.
    fireEvent.click(screen.getByRole('link', { name: /Retour/ }));
    expect(window.location.pathname).toBe('/chauffeurs');
    expect(await screen.findByRole('link', { name: 'Amina Diallo' })).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'Chauffeurs' })).toBeTruthy();
  });

  it("shows an Uber payment by its day and amount, with the API's shape", async () => {
    window.history.replaceState(null, '', '/chauffeurs/d-1');
    mockFetch((url) => {
      if (url.pathname === '/fleet/drivers/d-1') return jsonResponse(driver());
      if (url.pathname === '/fleet/drivers/d-1/payments')
        return jsonResponse({
          items: [
            {
              payment_id: 'p-1',
              day: '2025-03-04',
              window_start: '2025-03-04T05:00:00Z',
              window_end: '2025-03-04T05:15:00Z',
              amount_minor: 12345,
              currency: 'EUR',
              breakdown: [{ category: 'fare', amount_minor: 12345, currency: 'EUR', children: [] }],
            },
          ],
        });
      if (url.pathname.startsWith('/fleet/drivers/d-1/')) return problemResponse(404, 'Not Found', 'no such route');
      return jsonResponse({ items: [], next_cursor: null });
    });
    signedIn();
    renderApp();

    const day = await screen.findByText('04/03/2025', { selector: 'time' });
    expect(day.getAttribute('dateTime')).toBe('2025-03-04');
    expect(day.closest('summary')!.textContent).toMatch(/123,45\s€/);
  });

  it('shows "Chauffeur introuvable" for an unknown driver', async () => {
    window.history.replaceState(null, '', '/chauffeurs/nope');
    mockFetch(() => problemResponse(404, 'Not Found', 'no such driver'));
    signedIn();
    renderApp();
    expect(await screen.findByRole('heading', { level: 1, name: 'Chauffeur introuvable' })).toBeTruthy();
  });

  it('shows the offline banner and reloads the list when back online', async () => {
    const fetchMock = mockFetch(() => jsonResponse({ items: [driver()], next_cursor: null }));
    atAccounts();
    signedIn();
    renderApp();
    await screen.findByRole('link', { name: 'Amina Diallo' });

    const onLine = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    act(() => {
      window.dispatchEvent(new Event('offline'));
    });
    expect(
      screen.getByText('Hors ligne — les données seront actualisées au retour de la connexion'),
    ).toBeTruthy();

    onLine.mockReturnValue(true);
    act(() => {
      window.dispatchEvent(new Event('online'));
    });
    expect(screen.queryByText(/Hors ligne —/)).toBeNull(); // the banner (not the status filter's option)
    await waitFor(() => expect(driversCalls(fetchMock)).toHaveLength(2));
  });

  it('switches to English and remembers it; logs out', async () => {
    mockFetch(() => jsonResponse({ items: [], next_cursor: null }));
    signedIn();
    renderApp();
    expect(await screen.findByText('Aucun chauffeur')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'English' }));
    expect(await screen.findByText('No drivers')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'Drivers' })).toBeTruthy();
    expect(window.localStorage.getItem('fm.lang')).toBe('en');
    expect(document.documentElement.lang).toBe('en');

    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(screen.getByLabelText('Email address')).toBeTruthy();
    expect(window.sessionStorage.length).toBe(0);
  });
});
