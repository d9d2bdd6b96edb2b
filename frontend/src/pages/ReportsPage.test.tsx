import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { setSession } from '../api/client';
import { I18nProvider } from '../i18n/I18nProvider';
import { jsonResponse, mockFetch } from '../test/http';

const SHA = 'ab12cd34ef56'.padEnd(64, '0');

function report(id: string, overrides: Record<string, unknown> = {}) {
  return {
    report_id: id,
    account_id: 'org-1',
    report_type: 'REPORT_TYPE_PAYMENTS_ORDER',
    status: 'REPORT_STATUS_COMPLETED',
    failed_reason: null,
    period_start: '2026-03-01T23:00:00Z', // 2 March, midnight in Paris
    period_end: '2026-03-02T23:00:00Z',
    file_name: 'payments_order.csv',
    row_count: 1234,
    csv_sha256: SHA,
    fetch_id: 42,
    created_at: '2026-03-03T01:00:00Z',
    completed_at: '2026-03-03T01:00:05Z',
    updated_at: '2026-03-03T01:00:05Z',
    ...overrides,
  };
}

const COMPANY = {
  company_id: 7,
  name: 'AA Denis Bolt',
  currency: 'EUR',
  first_seen_at: '2026-01-05T08:30:00Z',
  updated_at: '2026-03-01T08:30:00Z',
};

/** The API: two pages of reports (or none) and one Bolt company. */
function api(reports: 'some' | 'none' = 'some') {
  return mockFetch((url) => {
    if (url.pathname === '/bolt/companies')
      return jsonResponse({ items: [COMPANY, { ...COMPANY, company_id: 8, name: null }] });
    if (url.pathname !== '/fleet/reports') return jsonResponse({ items: [], next_cursor: null });
    if (reports === 'none') return jsonResponse({ items: [], next_cursor: null });
    if (url.searchParams.get('cursor') === 'c2')
      return jsonResponse({
        items: [report('r2', { status: 'REPORT_STATUS_FAILED', row_count: null, csv_sha256: null, period_end: '2026-03-09T23:00:00Z' })],
        next_cursor: null,
      });
    return jsonResponse({ items: [report('r1')], next_cursor: 'c2' });
  });
}

function openReports(role: string) {
  setSession('tok', 3600, { user_id: 'u1', email: 'a@b.fr', org_id: 'o1', role } as never);
  window.history.replaceState(null, '', '/rapports');
  return render(
    <I18nProvider>
      <App />
    </I18nProvider>,
  );
}

const cellsOf = (row: HTMLElement) =>
  [within(row).getByRole('rowheader'), ...within(row).getAllByRole('cell')].map((c) => c.textContent?.replace(/\s/g, ' '));

describe('reports page', () => {
  it('lists the Uber reports by Paris day with type, status and rows, and pages with next_cursor', async () => {
    const fetchMock = api();
    openReports('manager');

    expect(await screen.findByRole('heading', { level: 1, name: 'Rapports' })).toBeTruthy();
    const nav = screen.getByRole('navigation', { name: 'Navigation principale' });
    expect(within(nav).getByRole('link', { name: 'Rapports' }).getAttribute('aria-current')).toBe('page');
    const table = await screen.findByRole('table', { name: 'Rapports Uber' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual([
      'Période',
      'Type',
      'Statut',
      'Lignes',
    ]);
    expect(cellsOf(within(table).getAllByRole('row')[1]!)).toEqual([
      '02/03/2026',
      'Paiements par commande',
      'Terminé',
      '1 234',
    ]);
    expect(screen.getByRole('button', { name: 'Exporter en CSV' })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Suivant' }));
    const failed = (await screen.findByText('Échec')).closest('tr')!;
    expect(cellsOf(failed)).toEqual(['02/03/2026 – 09/03/2026', 'Paiements par commande', 'Échec', '—']);
    const cursors = fetchMock.mock.calls
      .map(([input]) => new URL(String(input), 'http://localhost'))
      .filter((u) => u.pathname === '/fleet/reports')
      .map((u) => u.searchParams.get('cursor'));
    expect(cursors).toEqual([null, 'c2']);
  });

  it('shows auditors the call that holds the file and its SHA-256, short until opened', async () => {
    api();
    openReports('auditor');
    const table = await screen.findByRole('table', { name: 'Rapports Uber' });
    expect(within(table).getByRole('columnheader', { name: 'Fichier (audit)' })).toBeTruthy();
    const row = within(table).getAllByRole('row')[1]!;
    expect(within(row).getByText('Appel n° 42')).toBeTruthy();
    const summary = within(row).getByText('ab12cd34ef56…').closest('summary')!;
    expect(summary.textContent).toBe('SHA-256 ab12cd34ef56…');
    expect(within(row).getByText(SHA, { selector: 'code' })).toBeTruthy();
  });

  it('says when no report has been fetched yet, and lists the Bolt companies', async () => {
    api('none');
    openReports('viewer');
    expect(await screen.findByText('Aucun rapport pour l’instant')).toBeTruthy();
    expect(screen.queryByRole('table', { name: 'Rapports Uber' })).toBeNull();
    const companies = await screen.findByRole('table', { name: 'Entreprises Bolt' });
    const [, named, unnamed] = within(companies).getAllByRole('row');
    expect(cellsOf(named!)).toEqual(['AA Denis Bolt', '7', 'EUR', '05/01/2026 09:30']);
    expect(within(unnamed!).getByRole('rowheader').textContent).toBe('Entreprise n° 8'); // Bolt may send no name
    expect(screen.getByRole('heading', { level: 2, name: 'Entreprises Bolt' })).toBeTruthy();
  });

  it('is in English when English is chosen', async () => {
    window.localStorage.setItem('fm.lang', 'en');
    api();
    openReports('manager');
    expect(await screen.findByRole('heading', { level: 1, name: 'Reports' })).toBeTruthy();
    const table = await screen.findByRole('table', { name: 'Uber reports' });
    expect(cellsOf(within(table).getAllByRole('row')[1]!)).toEqual(['02/03/2026', 'Payments by order', 'Completed', '1,234']);
    expect(screen.getByRole('heading', { level: 2, name: 'Bolt companies' })).toBeTruthy();
  });
});
