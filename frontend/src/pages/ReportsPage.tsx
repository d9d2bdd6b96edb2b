import { useId } from 'react';
import { boltCompanies, uberReports, type BoltCompany, type Role, type UberReport } from '../api/client';
import { EmptyState, ItemsView, PageHeading } from '../components/common';
import { DataTable, PagedTable, type Column } from '../components/DataTable';
import { ExportCsvButton } from '../components/ExportCsvButton';
import { parisPeriod } from '../dates';
import { fr, type MessageKey } from '../i18n/dictionary';
import { useI18n, type I18n } from '../i18n/I18nProvider';
import { useLoad, usePagedLoad } from '../hooks';

/** Who may read a report's file (GET /audit/fetches/{id}/body): they see which call holds it. */
const AUDIT_ROLES = new Set<string>(['admin', 'auditor']);

/** Uber's code without its prefix, translated when the dictionary knows it, else as sent. */
function codeLabel(t: I18n['t'], group: string, prefix: string, code: string | null | undefined): string {
  if (!code) return t('value.none');
  const key = `${group}.${code.replace(prefix, '').toLowerCase()}`;
  return key in fr ? t(key as MessageKey) : code;
}

function reportTone(status: string): 'ok' | 'warn' | 'off' | 'neutral' {
  if (status.endsWith('COMPLETED')) return 'ok';
  if (status.endsWith('IN_PROGRESS')) return 'warn';
  return status.endsWith('FAILED') ? 'off' : 'neutral';
}

/** The Uber reports the platform fetched, then the Bolt companies: the fleet's accounts and files. */
export function ReportsPage({ role }: { role: Role | (string & {}) }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <section aria-labelledby={`${id}-title`}>
      <PageHeading id={`${id}-title`} title={t('reports.title')}>
        {t('reports.title')}
      </PageHeading>
      <section aria-labelledby={`${id}-uber`}>
        <div className="section-head">
          <h2 id={`${id}-uber`}>{t('reports.uber')}</h2>
          <ExportCsvButton files={[{ path: '/fleet/reports', filename: 'rapports-uber.csv' }]} />
        </div>
        <UberReports withFile={AUDIT_ROLES.has(role)} />
      </section>
      <section aria-labelledby={`${id}-bolt`}>
        <h2 id={`${id}-bolt`}>{t('companies.title')}</h2>
        <BoltCompanies />
      </section>
    </section>
  );
}

/** By period, with previous / next; `withFile` adds the call that holds the file and its SHA-256. */
function UberReports({ withFile }: { withFile: boolean }) {
  const { t, formatDay, formatNumber } = useI18n();
  const reports = usePagedLoad(
    'reports',
    null as string | null,
    (cursor, signal) => uberReports(cursor, signal),
    (page) => page.next_cursor,
  );
  const none = t('value.none');
  const period = (r: UberReport) => {
    const days = parisPeriod(r.period_start, r.period_end);
    if (!days) return none;
    return days.from === days.to ? formatDay(days.from) : `${formatDay(days.from)} – ${formatDay(days.to)}`;
  };
  const columns: Column<UberReport>[] = [
    { header: t('reports.period'), cell: period },
    { header: t('reports.type'), cell: (r) => codeLabel(t, 'reports.type', 'REPORT_TYPE_', r.report_type) },
    {
      header: t('drivers.col.status'),
      cell: (r) => (
        <span className={`badge badge-${reportTone(r.status)}`}>
          {codeLabel(t, 'reports.status', 'REPORT_STATUS_', r.status)}
        </span>
      ),
    },
    { header: t('reports.rows'), cell: (r) => (r.row_count == null ? none : formatNumber(r.row_count)), className: 'amount' },
  ];
  if (withFile) columns.push({ header: t('reports.file'), cell: (r) => <ReportFile report={r} /> });
  return (
    <PagedTable
      list={reports}
      empty={<EmptyState title={t('reports.empty')}>{t('reports.emptyHint')}</EmptyState>}
      columns={columns}
      rowKey={(r) => r.report_id}
      caption={t('reports.uber')}
    />
  );
}

/** The call whose recorded body is the file, and the file's SHA-256: short, the whole on demand. */
function ReportFile({ report }: { report: UberReport }) {
  const { t } = useI18n();
  const sha = report.csv_sha256;
  if (report.fetch_id == null && !sha) return <>{t('value.none')}</>;
  return (
    <>
      {report.fetch_id != null && <span className="mono">{t('reports.fetch', { id: report.fetch_id })}</span>}
      {sha && (
        <details className="hash">
          <summary>
            SHA-256 <span className="mono">{sha.slice(0, 12)}…</span>
          </summary>
          <code className="mono">{sha}</code>
        </details>
      )}
    </>
  );
}

/** The tenant's Bolt companies: a short list, one table. */
function BoltCompanies() {
  const { t, formatDate } = useI18n();
  const [companies, retry] = useLoad('companies', (signal) => boltCompanies(signal));
  const columns: Column<BoltCompany>[] = [
    { header: t('companies.name'), cell: (c) => c.name || t('companies.unnamed', { id: c.company_id }) },
    { header: t('companies.id'), cell: (c) => c.company_id, className: 'mono' },
    { header: t('companies.currency'), cell: (c) => c.currency },
    { header: t('companies.firstSeen'), cell: (c) => formatDate(c.first_seen_at) },
  ];
  return (
    <ItemsView state={companies} retry={retry} empty={<EmptyState title={t('companies.empty')} />}>
      {(data) => (
        <DataTable columns={columns} rows={data.items} rowKey={(c) => c.company_id} caption={t('companies.title')} />
      )}
    </ItemsView>
  );
}
