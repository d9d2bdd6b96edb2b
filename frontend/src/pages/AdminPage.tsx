import { useEffect, useId, useRef, useState } from 'react';
import { getSyncRun, projections, requestSync, syncStatus, type Provider, type SyncStatus } from '../api/client';
import { EmptyState, errorMessage, LoadView, PageHeading } from '../components/common';
import { providerLabel } from '../drivers';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';

const POLL_MS = 2000;
const FINISHED = new Set(['succeeded', 'success', 'ok', 'done', 'failed', 'error', 'completed']);

/** Sync status per resource with "Synchroniser maintenant", and the projections' lag. */
export function AdminPage() {
  const { t, formatNumber } = useI18n();
  const id = useId();
  const [refresh, setRefresh] = useState(0);
  const [status, retryStatus] = useLoad(`sync|${refresh}`, (signal) => syncStatus(signal));
  const [lag, retryLag] = useLoad(`lag|${refresh}`, (signal) => projections(signal));
  return (
    <section aria-labelledby={`${id}-title`}>
      <PageHeading id={`${id}-title`} title={t('admin.title')}>
        {t('admin.title')}
      </PageHeading>
      <h2>{t('admin.sync')}</h2>
      <LoadView state={status} retry={retryStatus}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState title={t('admin.noResources')} />
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{t('admin.resource')}</th>
                    <th scope="col">{t('admin.lastRun')}</th>
                    <th scope="col">{t('admin.appended')}</th>
                    <th scope="col">{t('admin.action')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((row) => (
                    <SyncRow key={`${row.provider}.${row.resource}`} row={row} onDone={() => setRefresh((n) => n + 1)} />
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </LoadView>
      <h2>{t('admin.projections')}</h2>
      <LoadView state={lag} retry={retryLag}>
        {(data) => (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('admin.projection')}</th>
                  <th scope="col">{t('audit.position')}</th>
                  <th scope="col">{t('admin.lagEvents')}</th>
                  <th scope="col">{t('admin.lagSeconds')}</th>
                  <th scope="col">{t('admin.parked')}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((p) => (
                  <tr key={p.name}>
                    <th scope="row" className="mono">{p.name}</th>
                    <td data-label={t('audit.position')}>{formatNumber(p.position)}</td>
                    <td data-label={t('admin.lagEvents')}>{formatNumber(p.lag_events)}</td>
                    <td data-label={t('admin.lagSeconds')}>{p.lag_seconds == null ? t('value.none') : formatNumber(p.lag_seconds)}</td>
                    <td data-label={t('admin.parked')}>{formatNumber(Number(p.parked))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </LoadView>
    </section>
  );
}

function SyncRow({ row, onDone }: { row: SyncStatus; onDone: () => void }) {
  const { t, formatDate, formatNumber } = useI18n();
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

  const run = row.last_run;
  const name = `${providerLabel(row.provider)} · ${row.resource}`;
  return (
    <tr>
      <th scope="row">{name}</th>
      <td data-label={t('admin.lastRun')}>
        {run ? `${run.status} — ${formatDate(run.finished_at ?? run.requested_at)}` : t('admin.never')}
        {run?.error && <span className="field-error"> {run.error}</span>}
      </td>
      <td data-label={t('admin.appended')}>{run?.appended == null ? t('value.none') : formatNumber(run.appended)}</td>
      <td data-label={t('admin.action')}>
        <button type="button" className="button" disabled={busy} onClick={syncNow} aria-label={`${t('admin.syncNow')} : ${name}`}>
          {t('admin.syncNow')}
        </button>
        <span role="status" className="muted sync-message">{message}</span>
      </td>
    </tr>
  );
}
