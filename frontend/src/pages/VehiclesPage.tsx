import { useId, useState } from 'react';
import { listVehicles, type Vehicle } from '../api/client';
import type { CsvFile } from '../api/csv';
import { EmptyState, PageHeading } from '../components/common';
import { PagedTable, type Column } from '../components/DataTable';
import { ExportCsvButton } from '../components/ExportCsvButton';
import { providerLabel, statusLabel, statusTone } from '../drivers';
import { useDebounced } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';
import { useMergedPages } from '../lists';
import { providersOf, useProvider } from '../provider';

export function VehiclesPage({ pageSize = 50 }: { pageSize?: number }) {
  const { t } = useI18n();
  const id = useId();
  const { provider: choice } = useProvider();
  const [query, setQuery] = useState('');
  const q = useDebounced(query.trim(), 300);
  const key = JSON.stringify([choice, q]);
  const vehicles = useMergedPages<Vehicle>(
    key,
    providersOf(choice),
    // The API searches plate, make and model (`q`), page by page in its own order.
    (p, c, s) => listVehicles({ limit: pageSize, cursor: c, q: q || undefined, signal: s }, p),
    (v) => v.plate ?? v.vehicle_id,
  );
  const none = t('value.none');
  const columns: Column<Vehicle>[] = [
    {
      header: t('vehicles.plate'),
      cell: (v) => (
        <>
          <span className="mono">{v.plate || none}</span>{' '}
          <span className={`provider provider-${v.provider}`}>{providerLabel(v.provider)}</span>
        </>
      ),
    },
    { header: t('vehicles.model'), cell: (v) => [v.make, v.model].filter(Boolean).join(' ') || none },
    { header: t('vehicles.year'), cell: (v) => v.year ?? none },
    { header: t('vehicles.color'), cell: (v) => v.color || none },
    {
      header: t('drivers.col.status'),
      cell: (v) => <span className={`badge badge-${statusTone(v.status)}`}>{statusLabel(t, v.status)}</span>,
    },
  ];
  const files = providersOf(choice).map(
    (p): CsvFile => ({ path: p === 'uber' ? '/fleet/vehicles' : '/bolt/vehicles', filename: `vehicules-${p}.csv` }),
  );

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
      <PagedTable
        list={vehicles}
        empty={<EmptyState title={t('vehicles.empty')} />}
        columns={columns}
        rowKey={(v) => `${v.provider}:${v.vehicle_id}`}
        caption={t('vehicles.title')}
      />
    </section>
  );
}
