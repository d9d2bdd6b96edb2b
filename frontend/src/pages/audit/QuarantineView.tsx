import { auditQuarantine, auditWindowQuery, type AuditQuarantined, type QuarantineFilters } from '../../api/client';
import { EmptyState } from '../../components/common';
import type { Column } from '../../components/DataTable';
import { providerLabel } from '../../drivers';
import { useI18n } from '../../i18n/I18nProvider';
import { AuditList, useAuditList } from './AuditList';

const EMPTY: QuarantineFilters = { provider: '', resource: '', from: '', to: '' };

/** The records the platform refused: why, when, and their bytes as text. */
export function QuarantineView() {
  const { t, formatDate } = useI18n();
  const state = useAuditList(EMPTY, auditQuarantine);
  const columns: Column<AuditQuarantined>[] = [
    { header: t('quarantine.id'), cell: (q) => `#${q.quarantine_id}`, className: 'mono' },
    { header: t('quarantine.at'), cell: (q) => formatDate(q.created_at) },
    { header: t('driver.provider'), cell: (q) => providerLabel(q.provider) },
    { header: t('admin.resource'), cell: (q) => q.resource, className: 'mono' },
    { header: t('quarantine.reason'), cell: (q) => q.reason, className: 'cell-reason' },
    { header: t('fetches.id'), cell: (q) => (q.fetch_id === null ? t('value.none') : `#${q.fetch_id}`), className: 'mono' },
    { header: t('quarantine.raw'), cell: (q) => <RawRecord record={q} />, className: 'cell-raw' },
  ];
  return (
    <AuditList
      state={state}
      fields={[{ name: 'resource', label: t('admin.resource') }]}
      csv={(f) => ({ path: '/audit/quarantine', query: auditWindowQuery(f), filename: 'quarantaine.csv' })}
      columns={columns}
      rowKey={(q) => q.quarantine_id}
      caption={t('quarantine.title')}
      empty={<EmptyState title={t('quarantine.empty')}>{t('quarantine.emptyHint')}</EmptyState>}
    />
  );
}

/** The record as received, folded: a page of them stays readable. */
function RawRecord({ record }: { record: AuditQuarantined }) {
  const { t } = useI18n();
  return (
    <details className="raw-record">
      <summary>
        {t('quarantine.show')}
        <span className="visually-hidden"> #{record.quarantine_id}</span>
      </summary>
      <p className="hash">
        SHA-256 <code className="mono">{record.raw_sha256}</code>
      </p>
      <pre className="raw" tabIndex={0} aria-label={t('quarantine.rawLabel', { id: record.quarantine_id })}>
        {record.raw}
      </pre>
    </details>
  );
}
