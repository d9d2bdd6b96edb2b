import { useId, useState, type FormEvent } from 'react';
import { auditEvents, auditQuery, type AuditEvent, type AuditFilters } from '../api/client';
import { EmptyState, PageHeading } from '../components/common';
import { PagedTable, type Column } from '../components/DataTable';
import { ExportCsvButton } from '../components/ExportCsvButton';
import { providerLabel } from '../drivers';
import { usePagedLoad } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';
import { Link, paths } from '../router';

const EMPTY: AuditFilters = { provider: '', event_type: '', entity_id: '', from: '', to: '' };

/** The event log, filtered; each event opens its record as received and its call. */
export function AuditPage() {
  const { t, formatDate } = useI18n();
  const id = useId();
  const [draft, setDraft] = useState<AuditFilters>(EMPTY);
  const [filters, setFilters] = useState<AuditFilters>(EMPTY);
  const events = usePagedLoad(
    JSON.stringify(filters),
    null as string | null,
    (cursor, signal) => auditEvents(filters, cursor, signal),
    (page) => page.next_cursor,
  );
  const columns: Column<AuditEvent>[] = [
    { header: t('audit.position'), cell: (e) => <Link to={paths.auditEvent(e.position)}>#{e.position}</Link> },
    { header: t('audit.eventType'), cell: (e) => e.event_type, className: 'mono' },
    { header: t('driver.provider'), cell: (e) => providerLabel(e.provider) },
    { header: t('audit.entityId'), cell: (e) => e.entity_id, className: 'mono' },
    { header: t('audit.observedAt'), cell: (e) => formatDate(e.observed_at) },
  ];

  function apply(event: FormEvent) {
    event.preventDefault();
    setFilters(draft);
    events.reset(); // applying the same filters again also starts from the first page
  }
  const field = (name: keyof AuditFilters, label: string, type = 'text') => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input
        id={`${id}-${name}`}
        type={type}
        value={draft[name] ?? ''}
        onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
      />
    </div>
  );

  return (
    <section aria-labelledby={`${id}-title`}>
      <div className="page-head">
        <PageHeading id={`${id}-title`} title={t('audit.title')}>
          {t('audit.title')}
        </PageHeading>
        <ExportCsvButton files={[{ path: `/audit/events${auditQuery(filters, null)}`, filename: 'evenements.csv' }]} />
      </div>
      <form className="filters card" onSubmit={apply} aria-label={t('audit.filters')}>
        <div className="field">
          <label htmlFor={`${id}-provider`}>{t('driver.provider')}</label>
          <select id={`${id}-provider`} value={draft.provider} onChange={(e) => setDraft({ ...draft, provider: e.target.value })}>
            <option value="">{t('provider.all')}</option>
            <option value="uber">Uber</option>
            <option value="bolt">Bolt</option>
          </select>
        </div>
        {field('event_type', t('audit.eventType'))}
        {field('entity_id', t('audit.entityId'))}
        {field('from', t('range.from'), 'date')}
        {field('to', t('range.to'), 'date')}
        <button type="submit" className="button">
          {t('audit.apply')}
        </button>
      </form>
      <PagedTable
        list={events}
        empty={<EmptyState title={t('audit.empty')} />}
        columns={columns}
        rowKey={(e) => e.position}
        caption={t('audit.title')}
      />
    </section>
  );
}
