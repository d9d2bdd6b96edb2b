import { useEffect, useId, useRef, useState } from 'react';
import {
  getSyncRun,
  projections,
  requestSync,
  syncStatus,
  type ProjectionLag,
  type Provider,
  type SyncStatus,
} from '../api/client';
import { EmptyState, errorMessage, ItemsView, LoadView, PageHeading } from '../components/common';
import { DataTable, type Column } from '../components/DataTable';
import { providerLabel } from '../drivers';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';

const POLL_MS = 2000;
const FINISHED = new Set(['succeeded', 'success', 'ok', 'done', 'failed', 'error', 'completed']);

/** Sync status per resource with "Synchroniser maintenant", and the projections' lag. */
export function AdminPage() {
  const { t, formatDate, formatNumber } = useI18n();
  const id = useId();
  const [refresh, setRefresh] = useState(0);
  const [status, retryStatus] = useLoad(`sync|${refresh}`, (signal) => syncStatus(signal));
  const [lag, retryLag] = useLoad(`lag|${refresh}`, (signal) => projections(signal));
  const syncColumns: Column<SyncStatus>[] = [
    { header: t('admin.resource'), cell: syncName },
    {
      header: t('admin.lastRun'),
      cell: ({ last_run: run }) => (
        <>
          {run ? `${run.status} — ${formatDate(run.finished_at ?? run.requested_at)}` : t('admin.never')}
          {run?.error && <span className="field-error"> {run.error}</span>}
        </>
      ),
    },
    {
      header: t('admin.appended'),
      cell: ({ last_run: run }) => (run?.appended == null ? t('value.none') : formatNumber(run.appended)),
    },
    { header: t('admin.action'), cell: (row) => <SyncNow row={row} onDone={() => setRefresh((n) => n + 1)} /> },
  ];
  const lagColumns: Column<ProjectionLag>[] = [
    { header: t('admin.projection'), cell: (p) => p.name, className: 'mono' },
    { header: t('audit.position'), cell: (p) => formatNumber(p.position) },
    { header: t('admin.lagEvents'), cell: (p) => formatNumber(p.lag_events) },
    {
      header: t('admin.lagSeconds'),
      cell: (p) => (p.lag_seconds == null ? t('value.none') : formatNumber(p.lag_seconds)),
    },
    { header: t('admin.parked'), cell: (p) => formatNumber(Number(p.parked)) },
  ];
  return (
    <section aria-labelledby={`${id}-title`}>
      <PageHeading id={`${id}-title`} title={t('admin.title')}>
        {t('admin.title')}
      </PageHeading>
      <h2>{t('admin.sync')}</h2>
      <ItemsView state={status} retry={retryStatus} empty={<EmptyState title={t('admin.noResources')} />}>
        {(data) => (
          <DataTable columns={syncColumns} rows={data.items} rowKey={(row) => `${row.provider}.${row.resource}`} />
        )}
      </ItemsView>
      <h2>{t('admin.projections')}</h2>
      <LoadView state={lag} retry={retryLag}>
        {(data) => <DataTable columns={lagColumns} rows={data.items} rowKey={(p) => p.name} />}
      </LoadView>
    </section>
  );
}

function syncName(row: SyncStatus): string {
  return `${providerLabel(row.provider)} · ${row.resource}`;
}

/** "Synchroniser maintenant" for one resource, then the run's status until it ends. */
function SyncNow({ row, onDone }: { row: SyncStatus; onDone: () => void }) {
  const { t } = useI18n();
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const alive = useRef(true);
  useEffect(() => () => void (alive.current = false), []);

  async function syncNow() {
    setBusy(true);
    setMessage(t('admin.requested'));
    try {
      const { run_id } = await requestSync(row.provider as Provider, row.resource);
      for (let i = 0; i < 30 && alive.current; i += 1) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        const run = await getSyncRun(run_id);
        setMessage(t('admin.runStatus', { status: run.status }));
        if (FINISHED.has(run.status.toLowerCase())) break;
      }
      if (alive.current) onDone();
    } catch (error) {
      if (alive.current) setMessage(errorMessage(t, error));
    } finally {
      if (alive.current) setBusy(false);
    }
  }

  const name = syncName(row);
  return (
    <>
      <button type="button" className="button" disabled={busy} onClick={syncNow} aria-label={`${t('admin.syncNow')} : ${name}`}>
        {t('admin.syncNow')}
      </button>
      <span role="status" className="muted sync-message">{message}</span>
    </>
  );
}
