import { auditEvents, auditWindowQuery, type AuditEvent, type AuditFilters } from '../../api/client';
import { EmptyState } from '../../components/common';
import type { Column } from '../../components/DataTable';
import { providerLabel } from '../../drivers';
import { useI18n } from '../../i18n/I18nProvider';
import { Link, paths } from '../../router';
import { AuditList, useAuditList } from './AuditList';

const EMPTY: AuditFilters = { provider: '', event_type: '', entity_id: '', from: '', to: '' };

/** The event log, filtered; each event opens its record as received and its call. */
export function EventsView() {
  const { t, formatDate } = useI18n();
  const state = useAuditList(EMPTY, auditEvents);
  const columns: Column<AuditEvent>[] = [
    { header: t('audit.position'), cell: (e) => <Link to={paths.auditEvent(e.position)}>#{e.position}</Link> },
    { header: t('audit.eventType'), cell: (e) => e.event_type, className: 'mono' },
    { header: t('driver.provider'), cell: (e) => providerLabel(e.provider) },
    { header: t('audit.entityId'), cell: (e) => e.entity_id, className: 'mono' },
    { header: t('audit.observedAt'), cell: (e) => formatDate(e.observed_at) },
  ];
  return (
    <AuditList
      state={state}
      fields={[
        { name: 'event_type', label: t('audit.eventType') },
        { name: 'entity_id', label: t('audit.entityId') },
      ]}
      csv={(f) => ({ path: '/audit/events', query: auditWindowQuery(f), filename: 'evenements.csv' })}
      columns={columns}
      rowKey={(e) => e.position}
      caption={t('audit.title')}
      empty={<EmptyState title={t('audit.empty')} />}
    />
  );
}
