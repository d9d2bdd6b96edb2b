import type { HTMLAttributes, ReactNode } from 'react';
import type { PagedList } from '../hooks';
import { ItemsView } from './common';
import { Pagination } from './Pagination';

export interface Column<T> {
  /** The column header; also each cell's data-label (the label shown beside it on narrow screens). */
  header: string;
  cell: (row: T) => ReactNode;
  className?: string;
}

export interface DataTableProps<T> {
  /** The first column heads its row (<th scope="row">). */
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string | number;
  /** Names the table for assistive technology; visually hidden. */
  caption?: ReactNode;
  className?: string;
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement>;
}

/** A table with a hidden caption, column headers and one header cell per row. */
export function DataTable<T>({ columns, rows, rowKey, caption, className = 'table', rowProps }: DataTableProps<T>) {
  return (
    <div className="table-wrap">
      <table className={className}>
        {caption !== undefined && <caption className="visually-hidden">{caption}</caption>}
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col">
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} {...rowProps?.(row)}>
              {columns.map(({ header, cell, className }, i) =>
                i === 0 ? (
                  <th key={header} scope="row" data-label={header} className={className}>
                    {cell(row)}
                  </th>
                ) : (
                  <td key={header} data-label={header} className={className}>
                    {cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export interface PagedTableProps<T, P extends { items: readonly T[] }> extends Omit<DataTableProps<T>, 'rows'> {
  list: PagedList<P>;
  /** Shown instead of the table when the page has no rows. */
  empty: ReactNode;
  /** Shown above the table when there are rows (notices, counts). */
  above?: (page: P) => ReactNode;
}

/** One page of a cursor-paged list as a table: loading, error and empty states, then previous / next. */
export function PagedTable<T, P extends { items: readonly T[] }>({ list, empty, above, ...table }: PagedTableProps<T, P>) {
  return (
    <>
      <ItemsView state={list.state} retry={list.retry} empty={empty}>
        {(data) => (
          <>
            {above?.(data)}
            <DataTable {...table} rows={data.items} />
          </>
        )}
      </ItemsView>
      <Pagination
        pageNumber={list.pageNumber}
        hasNext={list.hasNext}
        loading={list.state.status === 'loading'}
        onPrevious={list.previous}
        onNext={list.next}
      />
    </>
  );
}
