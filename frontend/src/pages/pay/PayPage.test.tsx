import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openApp } from '../../test/app';
import { jsonResponse, mockFetch } from '../../test/http';
import { currentWeek, parseEuros, weekDays, weekOfDay } from './weeks';

const PERSON = '6f1c0000-0000-4000-8000-000000000001';
const ID = `2026-W10_${PERSON}`;

function summary(overrides: Record<string, unknown> = {}) {
  return {
    settlement_id: ID, person_id: PERSON, display_name: 'Laurent Dupont', week: '2026-W10',
    status: 'draft', balance: -1250, incomplete: ['bolt'], platform_net: { uber: 5250, bolt: -2000 },
    other_lines: -4500, ...overrides,
  };
}

function settlement(overrides: Record<string, unknown> = {}) {
  return {
    settlement_id: ID, person_id: PERSON, display_name: 'Laurent Dupont', week: '2026-W10',
    status: 'draft', digest: 'abc', incomplete: [], computed_at: null, override_reason: null,
    approved_by: null, approved_at: null, paid_on: null, transfer_reference: null, cancel_reason: null,
    glossary: { uber: { fares: 'Prix des courses' } }, rounding: '',
    statement: {
      person_id: PERSON, week: '2026-W10', scheme: { kind: 'split', fleet_share: 2500 }, vat_rate: 2000,
      blocks: [{ provider: 'uber', figures: { fares: 10000, tips: 0 }, shared: 7500, tips: 0, tolls: 0, cash: 0, trips: 3 }],
      lines: [
        { line_id: 'uber:revenue', kind: 'platform', label: 'Revenu net Uber', amount: 7500, provider: 'uber', sources: [41, 42] },
        { line_id: 'fuel-1', kind: 'one_off', label: 'Carburant', amount: -4500, sources: [50] },
      ],
      balance: 3000,
    },
    ...overrides,
  };
}

const open = (path: string, role = 'manager') => openApp(path, role);

function calls(fetchMock: ReturnType<typeof mockFetch>, pathname: string) {
  return fetchMock.mock.calls
    .map(([input, init]) => ({ url: new URL(String(input), 'http://localhost'), init: init as RequestInit }))
    .filter((c) => c.url.pathname === pathname);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-03-04T10:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('pay page', () => {
  it('lists the week with each platform, the other lines, the balance and the state; filters and weeks ask the API', async () => {
    const fetchMock = mockFetch((url) =>
      url.pathname === '/settlements' ? jsonResponse({ week: url.searchParams.get('week'), items: [summary()] }) : jsonResponse({ items: [], next_cursor: null }),
    );
    open('/paie');

    expect(await screen.findByRole('heading', { level: 1, name: 'Paie' })).toBeTruthy();
    const row = (await screen.findByRole('link', { name: 'Laurent Dupont' })).closest('tr')!;
    expect(row.textContent).toContain('52,50');
    expect(row.textContent).toContain('-20,00');
    expect(row.textContent).toContain('-45,00');
    expect(row.textContent).toContain('-12,50');
    expect(within(row).getByText('Brouillon')).toBeTruthy();
    expect(within(row).getByText('incomplet : bolt')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Laurent Dupont' }).getAttribute('href')).toBe(`/paie/${ID}`);
    const picker = screen.getByRole('combobox', { name: 'Semaine de paie' }) as HTMLSelectElement;
    expect(picker.value).toBe('2026-W10');
    expect(picker.selectedOptions[0]!.textContent).toBe('2026-W10 : du lundi 02/03 au dimanche 08/03/2026 — semaine ouverte');

    fireEvent.click(screen.getByLabelText('Solde négatif seulement'));
    await waitFor(() => expect(calls(fetchMock, '/settlements').at(-1)!.url.searchParams.get('negative')).toBe('true'));
    fireEvent.change(screen.getByRole('combobox', { name: 'Statut' }), { target: { value: 'approved' } });
    await waitFor(() => expect(calls(fetchMock, '/settlements').at(-1)!.url.searchParams.get('status')).toBe('approved'));
    fireEvent.click(screen.getByRole('button', { name: '← Semaine précédente' }));
    await waitFor(() => expect(calls(fetchMock, '/settlements').at(-1)!.url.searchParams.get('week')).toBe('2026-W09'));
    expect(window.location.search).toBe('?semaine=2026-W09');
  });

  it('downloads the week as the accountant CSV, the payroll CSV and the ZIP', async () => {
    const saved: string[] = [];
    Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:x'), revokeObjectURL: vi.fn() });
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function click(this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    const fetchMock = mockFetch((url) => {
      if (url.pathname === '/settlements/export') {
        const type = url.searchParams.get('format') === 'zip' ? 'application/zip' : 'text/csv; charset=utf-8';
        return new Response('x', { headers: { 'Content-Type': type } });
      }
      return jsonResponse({ week: '2026-W10', items: [summary()] });
    });
    open('/paie?semaine=2026-W10');
    fireEvent.click(await screen.findByRole('button', { name: 'CSV comptable' }));
    await waitFor(() => expect(saved).toEqual(['releves-2026-W10.csv']));
    fireEvent.click(screen.getByRole('button', { name: 'CSV paie (salariés)' }));
    await waitFor(() => expect(saved).toContain('paie-2026-W10.csv'));
    fireEvent.click(screen.getByRole('button', { name: 'Tous les relevés (ZIP de PDF)' }));
    await waitFor(() => expect(saved).toContain('releves-2026-W10.zip'));
    expect(calls(fetchMock, '/settlements/export').map((c) => c.url.searchParams.get('format'))).toEqual(['csv', 'payroll', 'zip']);
  });
});

describe('statement page', () => {
  function statementApi(state: { status: string } = { status: 'draft' }) {
    return mockFetch((url, init) => {
      if (decodeURIComponent(url.pathname) === `/settlements/${ID}/lines/uber:revenue/sources`) {
        return jsonResponse({
          settlement_id: ID,
          line: { line_id: 'uber:revenue', kind: 'platform', label: 'Revenu net Uber', amount: 7500, sources: [41] },
          events: [{ position: 41, provider: 'uber', event_type: 'uber.transaction.observed', observed_at: '2026-03-03T10:00:00Z' }],
        });
      }
      if (url.pathname === `/settlements/${ID}/approve`) {
        state.status = 'approved';
        return jsonResponse(settlement({ status: 'approved' }));
      }
      if (url.pathname === `/settlements/${ID}/lines` && init.method === 'POST') return jsonResponse(settlement(), 201);
      if (url.pathname === `/settlements/${ID}`) {
        return new Response(JSON.stringify(settlement({ status: state.status })), { headers: { 'Content-Type': 'application/json', ETag: '"abc"' } });
      }
      return jsonResponse({ items: [], next_cursor: null });
    });
  }

  it('shows the blocks and lines, follows a line to its events, and adds a line in cents', async () => {
    const fetchMock = statementApi();
    open(`/paie/${ID}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'Laurent Dupont — Relevé de la semaine 2026-W10' })).toBeTruthy();
    expect(screen.getByText('Net à verser')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Uber — courses : 3' })).toBeTruthy();
    expect(screen.getByText('Prix des courses')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Sources (2)' }));
    const events = await screen.findByRole('list', { name: 'Sources de « Revenu net Uber »' });
    expect(within(events).getByRole('link', { name: 'Événement n° 41' }).getAttribute('href')).toBe('/audit/41');

    fireEvent.change(screen.getByLabelText('Libellé'), { target: { value: 'Péage A1' } });
    fireEvent.change(screen.getByLabelText('Montant (€)'), { target: { value: '12,50' } });
    fireEvent.click(screen.getByRole('button', { name: 'Ajouter la ligne' }));
    await waitFor(() => expect(calls(fetchMock, `/settlements/${ID}/lines`)).toHaveLength(1));
    const body = JSON.parse(String(calls(fetchMock, `/settlements/${ID}/lines`)[0]!.init.body ?? '{}'));
    expect(body).toMatchObject({ kind: 'one_off', category: 'fuel', label: 'Péage A1', amount: -1250 });
    expect(screen.getByRole('button', { name: 'Retirer « Carburant »' })).toBeTruthy();
  });

  it('approves only after a confirmation, sending the ETag of the draft shown', async () => {
    const fetchMock = statementApi();
    open(`/paie/${ID}`);
    fireEvent.click(await screen.findByRole('button', { name: 'Approuver…' }));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('Approuver le relevé de Laurent Dupont pour la semaine 2026-W10, solde 30,00');
    expect(calls(fetchMock, `/settlements/${ID}/approve`)).toHaveLength(0);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Confirmer l’approbation' }));
    await waitFor(() => expect(calls(fetchMock, `/settlements/${ID}/approve`)).toHaveLength(1));
    const headers = new Headers(calls(fetchMock, `/settlements/${ID}/approve`)[0]!.init.headers);
    expect(headers.get('If-Match')).toBe('"abc"');
    expect(await screen.findByRole('heading', { name: 'Paiement' })).toBeTruthy();
  });

  it('shows a viewer the statement without the editor or the decisions', async () => {
    statementApi({ status: 'draft' });
    open(`/paie/${ID}`, 'viewer');
    expect(await screen.findByText('Net à verser')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Approuver…' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Ajouter la ligne' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Sources/ })).toBeNull();
    expect(screen.getByRole('button', { name: 'Télécharger le relevé (PDF)' })).toBeTruthy();
  });
});

describe('ISO weeks', () => {
  it('names days by their ISO week, Monday first, and reads euros as cents', () => {
    expect(weekOfDay('2026-03-02')).toBe('2026-W10');
    expect(weekOfDay('2026-03-08')).toBe('2026-W10');
    expect(weekOfDay('2027-01-01')).toBe('2026-W53');
    expect(weekDays('2026-W10')).toEqual({ monday: '2026-03-02', sunday: '2026-03-08' });
    expect(currentWeek(new Date('2026-03-08T23:30:00Z'))).toBe('2026-W11'); // Monday 00:30 in Paris
    expect(parseEuros('12,50')).toBe(1250);
    expect(parseEuros('1 234,5 €')).toBe(123450);
    expect(parseEuros('abc')).toBeNull();
  });
});
