import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from './App';
import { setSession } from './api/client';
import { I18nProvider } from './i18n/I18nProvider';
import { driver, jsonResponse, mockFetch, problemResponse } from './test/http';

function openAt(path: string, role = 'admin') {
  setSession('tok', 3600, { user_id: 'u1', email: 'a@b.fr', org_id: 'o1', role } as never);
  window.history.replaceState(null, '', path);
  render(
    <I18nProvider>
      <App />
    </I18nProvider>,
  );
}

function api() {
  return mockFetch((url) => {
    if (url.pathname === '/bolt/drivers/b-1') return jsonResponse(driver({ driver_id: 'b-1', provider: 'bolt', last_name: 'Bolt' }));
    if (url.pathname.startsWith('/bolt/drivers/b-1/')) return problemResponse(404, 'Not Found');
    return jsonResponse({ items: [], next_cursor: null });
  });
}

describe('addresses', () => {
  it('opens a Bolt driver from its deep link, and back / forward move between the pages', async () => {
    const fetchMock = api();
    openAt('/chauffeurs/bolt/b-1');
    expect(await screen.findByRole('heading', { level: 1, name: 'Amina Bolt' })).toBeTruthy();
    expect(fetchMock.mock.calls.map(([u]) => String(u))).toContain('/bolt/drivers/b-1');

    fireEvent.click(screen.getByRole('link', { name: 'Véhicules' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Véhicules' })).toBeTruthy();
    expect(window.location.pathname).toBe('/vehicules');
    // the new page's heading takes the focus after an in-app move (screen readers announce it)
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'Véhicules' }));

    window.history.back();
    expect(await screen.findByRole('heading', { level: 1, name: 'Amina Bolt' })).toBeTruthy();
    expect(window.location.pathname).toBe('/chauffeurs/bolt/b-1');
    window.history.forward();
    expect(await screen.findByRole('heading', { level: 1, name: 'Véhicules' })).toBeTruthy();
  });

  it.each(['/chauffeurs/lyft/x', '/audit/premier', '/nulle-part', '/paie/2026-W10'])('shows "Page introuvable" at %s', async (path) => {
    api();
    openAt(path);
    expect(await screen.findByRole('heading', { level: 1, name: 'Page introuvable' })).toBeTruthy();
  });

  it('keeps the query string of a deep link', async () => {
    api();
    openAt('/vehicules?from=2026-01-01');
    expect(await screen.findByRole('heading', { level: 1, name: 'Véhicules' })).toBeTruthy();
    expect(window.location.search).toBe('?from=2026-01-01');
  });

  it('sends / to the drivers list, and marks the menu entry of the page and of the pages under it', async () => {
    api();
    openAt('/');
    await waitFor(() => expect(window.location.pathname).toBe('/chauffeurs'));
    expect(screen.getByRole('link', { name: 'Chauffeurs' }).getAttribute('aria-current')).toBe('page');

    fireEvent.click(screen.getByRole('link', { name: 'Audit' }));
    fireEvent.click(await screen.findByRole('tab', { name: 'Quarantaine' }));
    expect(window.location.pathname).toBe('/audit/quarantaine');
    expect(screen.getByRole('link', { name: 'Audit' }).getAttribute('aria-current')).toBe('page');
    expect(screen.getByRole('link', { name: 'Chauffeurs' }).getAttribute('aria-current')).toBeNull();
  });
});
