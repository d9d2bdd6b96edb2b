import { useEffect, useId, useState, type FormEvent, type MouseEvent } from 'react';
import { compact, listDrivers, type Driver } from '../api/client';
import type { CsvFile } from '../api/csv';
import { PageHeading, EmptyState } from '../components/common';
import { PagedTable, type Column } from '../components/DataTable';
import { ExportCsvButton } from '../components/ExportCsvButton';
import { driverName, providerLabel, statusLabel, statusTone, DRIVER_STATUSES } from '../drivers';
import { useDebounced, type CursorStack } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';
import { useMergedPages, type MultiCursor } from '../lists';
import { providersOf, useProvider, type ProviderChoice } from '../provider';
import { isPlainClick, Link, paths, useNavigate } from '../router';
import type { Provider } from '../api/types';

export const SEARCH_DEBOUNCE_MS = 300;
export const PAGE_SIZE = 50;

interface Memory {
  query: string;
  status: string;
  position: CursorStack<MultiCursor> | null;
}

function freshMemory(): Memory {
  return { query: '', status: '', position: null };
}

// Kept outside the component so that coming back from a driver's page shows the same
// search, filter and page again.
let memory: Memory = freshMemory();

/** Forget the list's search and page (on logout, and between tests). */
export function resetDriversListMemory(): void {
  memory = freshMemory();
}

function filterKey(choice: ProviderChoice, q: string, status: string, pageSize: number): string {
  return JSON.stringify([choice, q, status, pageSize]);
}

export function DriversPage({ pageSize = PAGE_SIZE }: { pageSize?: number }) {
  const { t, formatDate, formatNumber } = useI18n();
  const id = useId();
  const { provider: choice } = useProvider();
  const navigate = useNavigate();
  const [query, setQuery] = useState(memory.query);
  const [chosenStatus, setStatus] = useState(memory.status);
  // Only the statuses of the platforms shown are offered; one left from another platform is dropped.
  const offeredStatuses = providersOf(choice).map((p) => [p, DRIVER_STATUSES[p]] as const);
  const status = offeredStatuses.some(([, list]) => (list as readonly string[]).includes(chosenStatus))
    ? chosenStatus
    : '';
  const debouncedQuery = useDebounced(query.trim(), SEARCH_DEBOUNCE_MS);
  const key = filterKey(choice, debouncedQuery, status, pageSize);
  // New filters start again from the first page (and going back to the old ones too).
  const drivers = useMergedPages<Driver>(
    key,
    providersOf(choice),
    (p, c, s) => listDrivers({ limit: pageSize, cursor: c, q: debouncedQuery, status, signal: s }, p),
    (d) => `${d.last_name ?? ''} ${d.first_name ?? ''}`,
    { initial: memory.position, forgetOnChange: true },
  );
  useEffect(() => {
    memory = { query, status, position: drivers.position };
  });

  function onSearchSubmit(event: FormEvent) {
    event.preventDefault();
  }

  function onRowClick(event: MouseEvent<HTMLTableRowElement>, driver: Driver) {
    if (!isPlainClick(event)) return;
    if ((event.target as Element).closest('a, button')) return; // the link handles it
    if (window.getSelection()?.toString()) return; // the user is selecting text
    navigate(paths.driver(driver.driver_id, driver.provider as Provider));
  }

  const none = t('value.none');
  const columns: Column<Driver>[] = [
    {
      header: t('drivers.col.name'),
      cell: (driver) => (
        <>
          <Link to={paths.driver(driver.driver_id, driver.provider as Provider)} className="driver-link">
            {driverName(driver) || t('driver.unnamed')}
          </Link>{' '}
          <span className={`provider provider-${driver.provider}`}>{providerLabel(driver.provider)}</span>
        </>
      ),
    },
    { header: t('drivers.col.phone'), cell: (driver) => driver.phone || none },
    { header: t('drivers.col.email'), cell: (driver) => driver.email || none, className: 'cell-email' },
    {
      header: t('drivers.col.status'),
      cell: (driver) => (
        <span className={`badge badge-${statusTone(driver.status)}`}>{statusLabel(t, driver.status)}</span>
      ),
    },
    {
      header: t('drivers.col.updated'),
      cell: (driver) => <time dateTime={driver.updated_at}>{formatDate(driver.updated_at)}</time>,
    },
  ];
  const csvFiles = providersOf(choice).map(
    (p): CsvFile => ({
      path: p === 'uber' ? '/fleet/drivers' : '/bolt/drivers',
      query: compact({ q: debouncedQuery, status }),
      filename: `chauffeurs-${p}.csv`,
    }),
  );

  return (
    <section className="drivers" aria-labelledby={`${id}-title`}>
      <div className="page-head">
        <PageHeading id={`${id}-title`} title={t('drivers.title')}>
          {t('drivers.title')}
        </PageHeading>
        <form role="search" className="filters" onSubmit={onSearchSubmit}>
          <div className="field search">
            <label htmlFor={`${id}-q`}>{t('drivers.search')}</label>
            <input
              id={`${id}-q`}
              type="search"
              name="q"
              value={query}
              placeholder={t('drivers.searchPlaceholder')}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => setQuery(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-status`}>{t('drivers.statusFilter')}</label>
            <select id={`${id}-status`} value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">{t('drivers.statusAll')}</option>
              {offeredStatuses.map(([p, list]) =>
                offeredStatuses.length > 1 ? (
                  <optgroup key={p} label={providerLabel(p)}>
                    {list.map((s) => (
                      <option key={s} value={s}>
                        {statusLabel(t, s)}
                      </option>
                    ))}
                  </optgroup>
                ) : (
                  list.map((s) => (
                    <option key={s} value={s}>
                      {statusLabel(t, s)}
                    </option>
                  ))
                ),
              )}
            </select>
          </div>
        </form>
        <ExportCsvButton files={csvFiles} />
      </div>

      <PagedTable
        list={drivers}
        empty={
          <EmptyState title={t('drivers.empty')}>
            {debouncedQuery ? t('drivers.emptySearch', { q: debouncedQuery }) : null}
          </EmptyState>
        }
        above={(data) => (
          <>
            {data.unavailable.length > 0 && (
              <p className="notice" role="status">
                {t('list.providerUnavailable', { providers: data.unavailable.map(providerLabel).join(', ') })}
              </p>
            )}
            <p className="muted result-count" role="status">
              {data.items.length === 1
                ? t('drivers.count.one')
                : t('drivers.count', { count: formatNumber(data.items.length) })}
            </p>
          </>
        )}
        className="table drivers-table"
        columns={columns}
        rowKey={(driver) => `${driver.provider}:${driver.driver_id}`}
        rowProps={(driver) => ({ className: 'row-link', onClick: (e) => onRowClick(e, driver) })}
        caption={t('drivers.caption', { page: formatNumber(drivers.pageNumber) })}
      />
    </section>
  );
}
