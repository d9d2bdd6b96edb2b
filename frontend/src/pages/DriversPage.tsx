import { useEffect, useId, useState, type FormEvent, type MouseEvent } from 'react';
import { isAbortError, listDrivers, type DriverPage } from '../api/client';
import { ErrorState, Loading, PageHeading } from '../components/common';
import { driverName, providerLabel, statusLabel, statusTone } from '../drivers';
import { useDebounced, useOnReconnect } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';
import { isPlainClick, Link, navigate, paths } from '../router';

export const SEARCH_DEBOUNCE_MS = 300;
export const PAGE_SIZE = 50;

/** Which page is shown: the search it belongs to and the cursors that led to it. */
interface Position {
  q: string;
  /** Cursor of each page visited so far; the last one is the current page (null = first). */
  cursors: (string | null)[];
}

interface Memory {
  query: string;
  position: Position;
}

function freshMemory(): Memory {
  return { query: '', position: { q: '', cursors: [null] } };
}

// Kept outside the component so that coming back from a driver's page shows
// the same search and page again.
let memory: Memory = freshMemory();

/** Forget the list's search and page (on logout, and between tests). */
export function resetDriversListMemory(): void {
  memory = freshMemory();
}

type LoadState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; page: DriverPage };

export function DriversPage({ pageSize = PAGE_SIZE }: { pageSize?: number }) {
  const { t, formatDate, formatNumber } = useI18n();
  const id = useId();
  const [query, setQuery] = useState(memory.query);
  const [position, setPosition] = useState<Position>(memory.position);
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<LoadState>({ status: 'loading' });
  const debouncedQuery = useDebounced(query.trim(), SEARCH_DEBOUNCE_MS);

  useEffect(() => {
    memory = { query, position };
  }, [query, position]);

  // A new search starts again from the first page.
  useEffect(() => {
    setPosition((p) => (p.q === debouncedQuery ? p : { q: debouncedQuery, cursors: [null] }));
  }, [debouncedQuery]);

  const cursor = position.cursors[position.cursors.length - 1] ?? null;
  const pageNumber = position.cursors.length;

  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    listDrivers({ limit: pageSize, cursor, q: position.q, signal: controller.signal }).then(
      (page) => setState({ status: 'ready', page }),
      (error: unknown) => {
        if (!isAbortError(error)) setState({ status: 'error', error });
      },
    );
    return () => controller.abort();
  }, [position, cursor, pageSize, attempt]);

  const retry = () => setAttempt((n) => n + 1);
  useOnReconnect(retry);

  function onSearchSubmit(event: FormEvent) {
    event.preventDefault();
    const q = query.trim();
    setPosition((p) => (p.q === q ? p : { q, cursors: [null] }));
  }

  function goNext() {
    if (state.status !== 'ready' || !state.page.next_cursor) return;
    const next = state.page.next_cursor;
    setPosition((p) => ({ ...p, cursors: [...p.cursors, next] }));
  }

  function goPrevious() {
    setPosition((p) => (p.cursors.length > 1 ? { ...p, cursors: p.cursors.slice(0, -1) } : p));
  }

  function onRowClick(event: MouseEvent<HTMLTableRowElement>, driverId: string) {
    if (!isPlainClick(event)) return;
    if ((event.target as Element).closest('a, button')) return; // the link handles it
    if (window.getSelection()?.toString()) return; // the user is selecting text
    navigate(paths.driver(driverId));
  }

  const page = state.status === 'ready' ? state.page : null;
  const hasPagination = pageNumber > 1 || Boolean(page?.next_cursor);
  const loading = state.status === 'loading';

  return (
    <section className="drivers" aria-labelledby={`${id}-title`}>
      <div className="page-head">
        <PageHeading id={`${id}-title`} title={t('drivers.title')}>
          {t('drivers.title')}
        </PageHeading>
        <form role="search" className="search" onSubmit={onSearchSubmit}>
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
        </form>
      </div>

      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorState error={state.error} onRetry={retry} />}

      {page && page.items.length === 0 && (
        <div className="state state-empty" role="status">
          <p className="state-title">{t('drivers.empty')}</p>
          {position.q && <p className="muted">{t('drivers.emptySearch', { q: position.q })}</p>}
        </div>
      )}

      {page && page.items.length > 0 && (
        <>
          <p className="muted result-count" role="status">
            {page.items.length === 1
              ? t('drivers.count.one')
              : t('drivers.count', { count: formatNumber(page.items.length) })}
          </p>
          <div className="table-wrap">
            <table className="table drivers-table">
              <caption className="visually-hidden">
                {t('drivers.caption', { page: formatNumber(pageNumber) })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t('drivers.col.name')}</th>
                  <th scope="col">{t('drivers.col.phone')}</th>
                  <th scope="col">{t('drivers.col.email')}</th>
                  <th scope="col">{t('drivers.col.status')}</th>
                  <th scope="col">{t('drivers.col.updated')}</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((driver) => {
                  const name = driverName(driver) || t('driver.unnamed');
                  return (
                    <tr
                      key={`${driver.provider}:${driver.driver_id}`}
                      className="row-link"
                      onClick={(e) => onRowClick(e, driver.driver_id)}
                    >
                      <th scope="row" data-label={t('drivers.col.name')}>
                        <Link to={paths.driver(driver.driver_id)} className="driver-link">
                          {name}
                        </Link>{' '}
                        <span className="provider">{providerLabel(driver.provider)}</span>
                      </th>
                      <td data-label={t('drivers.col.phone')}>{driver.phone || t('value.none')}</td>
                      <td data-label={t('drivers.col.email')} className="cell-email">
                        {driver.email || t('value.none')}
                      </td>
                      <td data-label={t('drivers.col.status')}>
                        <span className={`badge badge-${statusTone(driver.status)}`}>
                          {statusLabel(t, driver.status)}
                        </span>
                      </td>
                      <td data-label={t('drivers.col.updated')}>
                        <time dateTime={driver.updated_at}>{formatDate(driver.updated_at)}</time>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}

      {(hasPagination || (loading && pageNumber > 1)) && (
        <nav className="pagination" aria-label={t('drivers.pagination')}>
          <button type="button" className="button" onClick={goPrevious} disabled={pageNumber <= 1 || loading}>
            {t('drivers.previous')}
          </button>
          <span className="page-number">{t('drivers.page', { page: formatNumber(pageNumber) })}</span>
          <button type="button" className="button" onClick={goNext} disabled={!page?.next_cursor || loading}>
            {t('drivers.next')}
          </button>
        </nav>
      )}
    </section>
  );
}
