import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { PagedList } from '../hooks';
import { I18nProvider } from '../i18n/I18nProvider';
import { EmptyState } from './common';
import { DataTable, PagedTable, type Column } from './DataTable';

interface Fruit {
  id: string;
  name: string;
  price: number;
}

const FRUITS: Fruit[] = [
  { id: 'f1', name: 'Pomme', price: 2 },
  { id: 'f2', name: 'Poire', price: 3 },
];

const COLUMNS: Column<Fruit>[] = [
  { header: 'Nom', cell: (f) => f.name },
  { header: 'Prix', cell: (f) => `${f.price} €`, className: 'mono' },
];

function list(overrides: Partial<PagedList<{ items: Fruit[] }>> = {}): PagedList<{ items: Fruit[] }> {
  return {
    state: { status: 'ready', data: { items: FRUITS } },
    retry: vi.fn(),
    pageNumber: 1,
    hasNext: false,
    previous: vi.fn(),
    next: vi.fn(),
    ...overrides,
  };
}

function renderPaged(paged: PagedList<{ items: Fruit[] }>) {
  return render(
    <I18nProvider>
      <PagedTable
        list={paged}
        empty={<EmptyState title="Aucun fruit" />}
        columns={COLUMNS}
        rowKey={(f) => f.id}
        caption="Fruits"
      />
    </I18nProvider>,
  );
}

describe('DataTable', () => {
  it('renders one row per item, headed by its first cell, under a hidden caption', () => {
    render(<DataTable columns={COLUMNS} rows={FRUITS} rowKey={(f) => f.id} caption="Fruits" />);

    const table = screen.getByRole('table', { name: 'Fruits' });
    expect(within(table).getAllByRole('columnheader').map((th) => th.textContent)).toEqual(['Nom', 'Prix']);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByRole('rowheader').textContent).toBe('Pomme');
    const price = within(rows[1]!).getByRole('cell');
    expect(price.textContent).toBe('3 €');
    expect(price.getAttribute('data-label')).toBe('Prix');
    expect(price.className).toBe('mono');
  });
});

describe('PagedTable', () => {
  it('shows the empty state instead of the table when the page has no rows', () => {
    renderPaged(list({ state: { status: 'ready', data: { items: [] } } }));

    expect(screen.getByText('Aucun fruit')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('shows the loading state and no pagination on a single page', () => {
    renderPaged(list({ state: { status: 'loading' } }));

    expect(screen.getByRole('status').textContent).toBe('Chargement…');
    expect(screen.queryByRole('navigation')).toBeNull();
  });

  it('offers a retry on error', () => {
    const paged = list({ state: { status: 'error', error: new Error('boom') } });
    renderPaged(paged);

    expect(screen.getByRole('alert').textContent).toContain('boom');
    fireEvent.click(screen.getByRole('button', { name: 'Réessayer' }));
    expect(paged.retry).toHaveBeenCalledOnce();
  });

  it('calls next and previous from the pagination', () => {
    const paged = list({ pageNumber: 2, hasNext: true });
    renderPaged(paged);

    const nav = screen.getByRole('navigation', { name: 'Pagination' });
    expect(within(nav).getByText('Page 2')).toBeTruthy();
    fireEvent.click(within(nav).getByRole('button', { name: 'Suivant' }));
    fireEvent.click(within(nav).getByRole('button', { name: 'Précédent' }));
    expect(paged.next).toHaveBeenCalledOnce();
    expect(paged.previous).toHaveBeenCalledOnce();
  });

  it('disables next on the last page', () => {
    renderPaged(list({ pageNumber: 3, hasNext: false }));

    expect((screen.getByRole('button', { name: 'Suivant' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Précédent' }) as HTMLButtonElement).disabled).toBe(false);
  });
});
