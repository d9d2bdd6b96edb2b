import { useId, useState } from 'react';
import { auditFetches, fetchesQuery, type AuditFetch, type FetchFilters } from '../../api/client';
import { EmptyState } from '../../components/common';
import type { Column } from '../../components/DataTable';
import { providerLabel } from '../../drivers';
import { useI18n } from '../../i18n/I18nProvider';
import { AuditList, useAuditList } from './AuditList';
import { FetchBodyPanel, FetchRequest } from './FetchBody';

const EMPTY: FetchFilters = { provider: '', status: '', from: '', to: '' };

function statusTone(status: number | null): 'ok' | 'warn' | 'off' {
  if (status === null || status >= 500) return 'off';
  return status < 300 ? 'ok' : 'warn';
}

/** Every call made to the providers, filtered; each opens the exact body the provider answered. */
export function FetchesView() {
  const { t, formatDate, formatNumber } = useI18n();
  const id = useId();
  const state = useAuditList(EMPTY, auditFetches);
  const [open, setOpen] = useState<AuditFetch | null>(null);
  const openerId = (f: AuditFetch) => `${id}-open-${f.fetch_id}`;
  const panelId = `${id}-body`;

  function close() {
    const opener = open && document.getElementById(openerId(open));
    setOpen(null);
    opener?.focus(); // back to the row the response was opened from
  }

  const columns: Column<AuditFetch>[] = [
    { header: t('fetches.id'), cell: (f) => `#${f.fetch_id}`, className: 'mono' },
    { header: t('audit.startedAt'), cell: (f) => formatDate(f.started_at) },
    { header: t('driver.provider'), cell: (f) => providerLabel(f.provider) },
    { header: t('audit.endpoint'), cell: (f) => <FetchRequest fetch={f} /> },
    {
      header: t('audit.httpStatus'),
      cell: (f) => (
        <>
          <span className={`badge badge-${statusTone(f.status)}`}>{f.status ?? t('fetches.noStatus')}</span>
          {f.error && <span className="cell-note">{f.error}</span>}
        </>
      ),
    },
    { header: t('audit.duration'), cell: (f) => `${formatNumber(f.duration_ms)} ms`, className: 'amount' },
    {
      header: t('fetches.response'),
      cell: (f) =>
        f.response_sha256 === null ? (
          t('value.none')
        ) : (
          <button
            type="button"
            id={openerId(f)}
            className="button"
            aria-expanded={open?.fetch_id === f.fetch_id}
            aria-controls={open?.fetch_id === f.fetch_id ? panelId : undefined}
            aria-label={t('fetches.openLabel', { id: f.fetch_id })}
            onClick={() => setOpen(open?.fetch_id === f.fetch_id ? null : f)}
          >
            {t('fetches.open')}
          </button>
        ),
    },
  ];
  return (
    <AuditList
      state={state}
      fields={[{ name: 'status', label: t('audit.httpStatus'), type: 'number', min: 100, max: 599 }]}
      csv={(f) => ({ path: '/audit/fetches', query: fetchesQuery(f), filename: 'appels.csv' })}
      columns={columns}
      rowKey={(f) => f.fetch_id}
      caption={t('fetches.title')}
      empty={<EmptyState title={t('fetches.empty')} />}
    >
      {open && <FetchBodyPanel key={open.fetch_id} id={panelId} fetch={open} onClose={close} />}
    </AuditList>
  );
}
