import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openApp } from '../test/app';
import { jsonResponse, mockFetch, problemResponse } from '../test/http';

const SHA = 'f00d'.repeat(16);

const CALL = {
  provider: 'uber',
  method: 'GET',
  endpoint: '/v1/vehicle-suppliers/drivers',
  params: { page_size: 100 },
  status: 200 as number | null,
  started_at: '2026-03-03T08:15:00Z',
  duration_ms: 1234,
  error: null as string | null,
  response_sha256: SHA as string | null,
};
const call = (fetch_id: number, overrides: Partial<typeof CALL> = {}) => ({ ...CALL, fetch_id, ...overrides });

const QUARANTINED = {
  provider: 'bolt',
  resource: 'drivers',
  fetch_id: 7,
  reason: 'missing field `driver_uuid`',
  raw: '{"first_name":"Léa"}',
  raw_sha256: SHA,
  created_at: '2026-03-03T08:16:00Z',
};
const record = (quarantine_id: number) => ({ ...QUARANTINED, quarantine_id });

const BODY = '{"drivers":[{"driverId":"u-1","name":"Léa"}]}';

/** The audit API: two pages of calls, one page of quarantined records, call 2 without a body. */
function api(quarantine: 'some' | 'none' = 'some') {
  return mockFetch((url) => {
    if (url.pathname === '/audit/fetches')
      return url.searchParams.get('cursor') === 'c2'
        ? jsonResponse({ items: [call(2, { status: null, error: 'ConnectError: refused', response_sha256: null })], next_cursor: null })
        : jsonResponse({ items: [call(1)], next_cursor: 'c2' });
    if (url.pathname === '/audit/fetches/1/body')
      return new Response(BODY, { headers: { 'Content-Type': 'application/json' } });
    if (url.pathname.startsWith('/audit/fetches/')) return problemResponse(404, 'Not Found', 'no such fetch, or it has no body');
    if (url.pathname === '/audit/quarantine')
      return jsonResponse({ items: quarantine === 'some' ? [record(5)] : [], next_cursor: null });
    return jsonResponse({ items: [], next_cursor: null });
  });
}

const openAudit = (path: string, role = 'auditor') => openApp(path, role);

const calls = (fetchMock: ReturnType<typeof mockFetch>, path: string) =>
  fetchMock.mock.calls.map(([input]) => new URL(String(input), 'http://localhost')).filter((u) => u.pathname === path);

const cellsOf = (row: HTMLElement) =>
  [within(row).getByRole('rowheader'), ...within(row).getAllByRole('cell')].map((c) => c.textContent?.replace(/\s/g, ' '));

afterEach(() => vi.restoreAllMocks());

describe('audit page: tabs', () => {
  it('shows the three views as tabs, moved between with the arrow keys, each at its own address', async () => {
    api();
    openAudit('/audit');
    expect(await screen.findByRole('heading', { level: 1, name: 'Journal des événements' })).toBeTruthy();
    const tablist = screen.getByRole('tablist', { name: 'Vues de l’audit' });
    const tabs = within(tablist).getAllByRole('tab');
    expect(tabs.map((tab) => [tab.textContent, tab.getAttribute('aria-selected'), tab.tabIndex])).toEqual([
      ['Journal des événements', 'true', 0],
      ['Appels aux fournisseurs', 'false', -1],
      ['Quarantaine', 'false', -1],
    ]);
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe(tabs[0]!.id);

    tabs[0]!.focus();
    fireEvent.keyDown(tabs[0]!, { key: 'ArrowRight' });
    expect(window.location.pathname).toBe('/audit/appels');
    expect(await screen.findByRole('heading', { level: 1, name: 'Appels aux fournisseurs' })).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Appels aux fournisseurs' }));
    expect(screen.getByRole('tab', { name: 'Appels aux fournisseurs' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe(tabs[1]!.id);

    fireEvent.keyDown(document.activeElement!, { key: 'End' });
    expect(window.location.pathname).toBe('/audit/quarantaine');
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight' }); // wraps to the first
    expect(window.location.pathname).toBe('/audit');
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' }); // and back to the last
    expect(window.location.pathname).toBe('/audit/quarantaine');
    expect(await screen.findByRole('heading', { level: 1, name: 'Quarantaine' })).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Quarantaine' }));
  });

  it('offers the Audit section to auditors and admins only', async () => {
    api();
    openAudit('/rapports', 'manager');
    const nav = await screen.findByRole('navigation', { name: 'Navigation principale' });
    expect(within(nav).queryByRole('link', { name: 'Audit' })).toBeNull();
    cleanup();
    openAudit('/rapports', 'admin');
    const adminNav = await screen.findByRole('navigation', { name: 'Navigation principale' });
    expect(within(adminNav).getByRole('link', { name: 'Audit' }).getAttribute('href')).toBe('/audit');
  });
});

describe('audit page: events', () => {
  it('sends the filters, the days as Paris instants with "to" included', async () => {
    const fetchMock = api();
    openAudit('/audit');
    await screen.findByText('Aucun événement');
    fireEvent.change(screen.getByRole('combobox', { name: 'Plateforme' }), { target: { value: 'bolt' } });
    fireEvent.change(screen.getByLabelText('Type d’événement'), { target: { value: 'bolt.driver.observed.v1' } });
    fireEvent.change(screen.getByLabelText('Du'), { target: { value: '2026-03-01' } });
    fireEvent.change(screen.getByLabelText('Au'), { target: { value: '2026-03-31' } });
    fireEvent.click(screen.getByRole('button', { name: 'Filtrer' }));
    await waitFor(() => expect(calls(fetchMock, '/audit/events')).toHaveLength(2));
    const sent = Object.fromEntries(calls(fetchMock, '/audit/events')[1]!.searchParams);
    expect(sent).toEqual({
      provider: 'bolt',
      event_type: 'bolt.driver.observed.v1',
      from: '2026-03-01T00:00:00+01:00',
      to: '2026-04-01T00:00:00+02:00', // the summer time change falls on 29 March
      order: 'desc',
      limit: '50',
    });
  });
});

describe('audit page: order', () => {
  it('asks every view for the newest first, and switches to the oldest first from the first page', async () => {
    const fetchMock = api();
    openAudit('/audit/appels');
    await screen.findByRole('table', { name: 'Appels aux fournisseurs' });
    const order = screen.getByRole('combobox', { name: 'Ordre' }) as HTMLSelectElement;
    expect(order.value).toBe('desc');
    expect([...order.options].map((o) => o.textContent)).toEqual(['Plus récents d’abord', 'Plus anciens d’abord']);
    expect(calls(fetchMock, '/audit/fetches')[0]!.searchParams.get('order')).toBe('desc');

    fireEvent.click(screen.getByRole('button', { name: 'Suivant' }));
    await screen.findByText('Sans réponse');
    fireEvent.change(screen.getByLabelText('Statut HTTP'), { target: { value: '503' } }); // not applied yet
    fireEvent.change(order, { target: { value: 'asc' } });
    await waitFor(() => expect(calls(fetchMock, '/audit/fetches')).toHaveLength(3));
    const switched = calls(fetchMock, '/audit/fetches')[2]!;
    expect(Object.fromEntries(switched.searchParams)).toEqual({ order: 'asc', limit: '50' }); // no cursor of the other order
    fireEvent.click(screen.getByRole('button', { name: 'Filtrer' }));
    await waitFor(() => expect(calls(fetchMock, '/audit/fetches')).toHaveLength(4));
    expect(Object.fromEntries(calls(fetchMock, '/audit/fetches')[3]!.searchParams)).toEqual({ status: '503', order: 'asc', limit: '50' });

    for (const [tab, path] of [
      ['Journal des événements', '/audit/events'],
      ['Quarantaine', '/audit/quarantine'],
    ] as const) {
      fireEvent.click(screen.getByRole('tab', { name: tab }));
      await waitFor(() => expect(calls(fetchMock, path).length).toBeGreaterThan(0));
      expect(calls(fetchMock, path)[0]!.searchParams.get('order')).toBe('desc');
    }
  });

  it('names the order in English too', async () => {
    window.localStorage.setItem('fm.lang', 'en');
    api();
    openAudit('/audit');
    const order = (await screen.findByRole('combobox', { name: 'Order' })) as HTMLSelectElement;
    expect([...order.options].map((o) => o.textContent)).toEqual(['Newest first', 'Oldest first']);
    window.localStorage.removeItem('fm.lang');
  });
});

describe('audit page: provider calls', () => {
  it('lists the calls and pages with next_cursor', async () => {
    const fetchMock = api();
    openAudit('/audit/appels');
    const table = await screen.findByRole('table', { name: 'Appels aux fournisseurs' });
    const headers = within(table).getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers.join(' | ')).toBe('Appel | Début | Plateforme | Requête | Statut HTTP | Durée | Réponse');
    const request = 'GET /v1/vehicle-suppliers/drivers{"page_size":100}';
    const firstPage = ['#1', '03/03/2026 09:15', 'Uber', request, '200', '1 234 ms', 'Voir la réponse'];
    expect(cellsOf(within(table).getAllByRole('row')[1]!)).toEqual(firstPage);

    fireEvent.click(screen.getByRole('button', { name: 'Suivant' }));
    const failed = (await screen.findByText('Sans réponse')).closest('tr')!;
    // no answer: the error instead of a status, and no body to open
    expect(cellsOf(failed)).toEqual(['#2', ...firstPage.slice(1, 4), 'Sans réponseConnectError: refused', '1 234 ms', '—']);
    expect(calls(fetchMock, '/audit/fetches').map((u) => u.searchParams.get('cursor'))).toEqual([null, 'c2']);
  });

  it('sends platform, HTTP status and days as query parameters, from the first page again', async () => {
    const fetchMock = api();
    openAudit('/audit/appels');
    await screen.findByRole('table', { name: 'Appels aux fournisseurs' });
    expect(screen.getByRole('button', { name: 'Exporter en CSV' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Suivant' }));
    await screen.findByText('Sans réponse');
    fireEvent.change(screen.getByRole('combobox', { name: 'Plateforme' }), { target: { value: 'uber' } });
    fireEvent.change(screen.getByLabelText('Statut HTTP'), { target: { value: '429' } });
    fireEvent.change(screen.getByLabelText('Du'), { target: { value: '2026-07-14' } });
    fireEvent.click(screen.getByRole('button', { name: 'Filtrer' }));
    await waitFor(() => expect(calls(fetchMock, '/audit/fetches')).toHaveLength(3));
    const sent = Object.fromEntries(calls(fetchMock, '/audit/fetches')[2]!.searchParams);
    expect(sent).toEqual({ provider: 'uber', status: '429', from: '2026-07-14T00:00:00+02:00', order: 'desc', limit: '50' });
  });

  it('opens a call’s response as text with its content type, downloads its bytes, and closes back to the row', async () => {
    api();
    openAudit('/audit/appels');
    const open = await screen.findByRole('button', { name: 'Voir la réponse de l’appel n° 1' });
    expect(open.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(open);

    const panel = await screen.findByRole('region', { name: 'Réponse de l’appel n° 1' });
    expect(open.getAttribute('aria-expanded')).toBe('true');
    expect(open.getAttribute('aria-controls')).toBe(panel.id);
    expect(document.activeElement).toBe(within(panel).getByRole('heading', { level: 2 }));
    const body = await within(panel).findByLabelText('Corps de la réponse');
    expect(body.tagName).toBe('PRE');
    expect(body.textContent).toBe(BODY);
    expect(within(panel).getByText('application/json').tagName).toBe('DD');
    expect(within(panel).getByText(`${new TextEncoder().encode(BODY).length} octets`)).toBeTruthy();
    expect(within(panel).getByText(SHA)).toBeTruthy();

    const blobs: Blob[] = [];
    const createObjectURL = vi.fn((blob: Blob) => (blobs.push(blob), 'blob:x'));
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      expect(this.download).toBe('appel-1-reponse.json');
    });
    fireEvent.click(within(panel).getByRole('button', { name: 'Télécharger la réponse (octets bruts)' }));
    expect(clicked).toHaveBeenCalledTimes(1);
    expect(blobs[0]!.type).toBe('application/json');
    expect(blobs[0]!.size).toBe(new TextEncoder().encode(BODY).length);

    fireEvent.click(within(panel).getByRole('button', { name: 'Fermer' }));
    expect(screen.queryByRole('region', { name: 'Réponse de l’appel n° 1' })).toBeNull();
    expect(document.activeElement).toBe(open);
  });

  it('says when a call has no stored body', async () => {
    mockFetch((url) => {
      if (url.pathname === '/audit/fetches') return jsonResponse({ items: [call(3)], next_cursor: null });
      return problemResponse(404, 'Not Found', 'no such fetch, or it has no body');
    });
    openAudit('/audit/appels');
    fireEvent.click(await screen.findByRole('button', { name: 'Voir la réponse de l’appel n° 3' }));
    expect(await screen.findByText(/aucun corps n’est conservé/)).toBeTruthy();
  });
});

describe('audit page: quarantine', () => {
  it('lists the refused records with their reason and raw record, filtered by resource', async () => {
    const fetchMock = api();
    openAudit('/audit/quarantaine');
    const table = await screen.findByRole('table', { name: 'Quarantaine' });
    const row = within(table).getAllByRole('row')[1]!;
    expect(cellsOf(row).slice(0, 6)).toEqual(['#5', '03/03/2026 09:16', 'Bolt', 'drivers', 'missing field `driver_uuid`', '#7']);
    const raw = within(row).getByLabelText('Enregistrement brut n° 5');
    expect(raw.tagName).toBe('PRE');
    expect(raw.textContent).toBe('{"first_name":"Léa"}');
    expect(raw.closest('details')!.open).toBe(false);
    fireEvent.click(within(row).getByText('Afficher'));
    expect(raw.closest('details')!.open).toBe(true);

    fireEvent.change(screen.getByLabelText('Ressource'), { target: { value: 'drivers' } });
    fireEvent.change(screen.getByLabelText('Au'), { target: { value: '2026-03-03' } });
    fireEvent.click(screen.getByRole('button', { name: 'Filtrer' }));
    await waitFor(() => expect(calls(fetchMock, '/audit/quarantine')).toHaveLength(2));
    expect(Object.fromEntries(calls(fetchMock, '/audit/quarantine')[1]!.searchParams)).toEqual({
      resource: 'drivers',
      to: '2026-03-04T00:00:00+01:00',
      order: 'desc',
      limit: '50',
    });
  });

  it('says when nothing is quarantined, in English too', async () => {
    window.localStorage.setItem('fm.lang', 'en');
    api('none');
    openAudit('/audit/quarantaine');
    expect(await screen.findByText('No quarantined records')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'Quarantine' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Provider calls' })).toBeTruthy();
  });
});
