import { useId, useState } from 'react';
import { listVehicles, providerPrefix, type Vehicle } from '../api/client';
import { EmptyState, LoadView, PageHeading } from '../components/common';
import { ExportCsvButton } from '../components/ExportCsvButton';
import { Pagination } from '../components/Pagination';
import { providerLabel, statusLabel, statusTone } from '../drivers';
import { useDebounced, useLoad } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';
import { firstCursor, loadMerged, type MultiCursor } from '../lists';
import { providersOf, useProvider } from '../provider';

export function VehiclesPage({ pageSize = 50 }: { pageSize?: number }) {
  const { t } = useI18n();
  const id = useId();
  const { provider: choice } = useProvider();
  const [query, setQuery] = useState('');
  const q = useDebounced(query.trim(), 300);
  const key = JSON.stringify([choice, q]);
  const [position, setPosition] = useState<{ key: string; cursors: MultiCursor[] }>({ key: '', cursors: [] });
  const cursors = position.key === key ? position.cursors : [firstCursor(providersOf(choice))];
  const cursor = cursors[cursors.length - 1]!;
  const [state, retry] = useLoad(JSON.stringify([key, cursor]), (signal) =>
    loadMerged<Vehicle>(
      cursor,
      (p, c, s) => listVehicles({ limit: pageSize, cursor: c, q, signal: s }, p),
      (v) => v.plate ?? v.vehicle_id,
      signal,
    ),
  );
  const page = state.status === 'ready' ? state.data : null;
  const none = t('value.none');
  const files = providersOf(choice).map((p) => ({
    path: `${providerPrefix(p)}/vehicles${q ? `?q=${encodeURIComponent(q)}` : ''}`,
    filename: `vehicules-${p}.csv`,
  }));

  return (
    <section aria-labelledby={`${id}-title`}>
      <div className="page-head">
        <PageHeading id={`${id}-title`} title={t('vehicles.title')}>
          {t('vehicles.title')}
        </PageHeading>
        <form role="search" className="filters" onSubmit={(e) => e.preventDefault()}>
          <div className="field search">
            <label htmlFor={`${id}-q`}>{t('vehicles.search')}</label>
            <input id={`${id}-q`} type="search" value={query} autoComplete="off" onChange={(e) => setQuery(e.target.value)} />
          </div>
        </form>
        <ExportCsvButton files={files} />
      </div>
      <LoadView state={state} retry={retry}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState title={t('vehicles.empty')} />
          ) : (
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">{t('vehicles.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('vehicles.plate')}</th>
                    <th scope="col">{t('vehicles.model')}</th>
                    <th scope="col">{t('vehicles.year')}</th>
                    <th scope="col">{t('vehicles.color')}</th>
                    <th scope="col">{t('drivers.col.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((v) => (
                    <tr key={`${v.provider}:${v.vehicle_id}`}>
                      <th scope="row" data-label={t('vehicles.plate')}>
                        <span className="mono">{v.plate || none}</span>{' '}
                        <span className={`provider provider-${v.provider}`}>{providerLabel(v.provider)}</span>
                      </th>
                      <td data-label={t('vehicles.model')}>{[v.make, v.model].filter(Boolean).join(' ') || none}</td>
                      <td data-label={t('vehicles.year')}>{v.year ?? none}</td>
                      <td data-label={t('vehicles.color')}>{v.color || none}</td>
                      <td data-label={t('drivers.col.status')}>
                        <span className={`badge badge-${statusTone(v.status)}`}>{statusLabel(t, v.status)}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </LoadView>
      <Pagination
        pageNumber={cursors.length}
        hasNext={Boolean(page?.next)}
        loading={state.status === 'loading'}
        onPrevious={() => setPosition({ key, cursors: cursors.length > 1 ? cursors.slice(0, -1) : cursors })}
        onNext={() => page?.next && setPosition({ key, cursors: [...cursors, page.next] })}
      />
    </section>
  );
}
