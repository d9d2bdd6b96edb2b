import { useId, useState, type FormEvent } from 'react';
import { auditEvents, auditQuery, type AuditFilters } from '../api/client';
import { EmptyState, LoadView, PageHeading } from '../components/common';
import { ExportCsvButton } from '../components/ExportCsvButton';
import { Pagination } from '../components/Pagination';
import { providerLabel } from '../drivers';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';
import { Link, paths } from '../router';

const EMPTY: AuditFilters = { provider: '', event_type: '', entity_id: '', from: '', to: '' };

/** The event log, filtered; each event opens its record as received and its call. */
export function AuditPage() {
  const { t, formatDate } = useI18n();
  const id = useId();
  const [draft, setDraft] = useState<AuditFilters>(EMPTY);
  const [filters, setFilters] = useState<AuditFilters>(EMPTY);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const [state, retry] = useLoad(JSON.stringify([filters, cursor]), (signal) => auditEvents(filters, cursor, signal));
  const page = state.status === 'ready' ? state.data : null;

  function apply(event: FormEvent) {
    event.preventDefault();
    setFilters(draft);
    setCursors([null]);
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
      <LoadView state={state} retry={retry}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState title={t('audit.empty')} />
          ) : (
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">{t('audit.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('audit.position')}</th>
                    <th scope="col">{t('audit.eventType')}</th>
                    <th scope="col">{t('driver.provider')}</th>
                    <th scope="col">{t('audit.entityId')}</th>
                    <th scope="col">{t('audit.observedAt')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((e) => (
                    <tr key={e.position}>
                      <th scope="row" data-label={t('audit.position')}>
                        <Link to={paths.auditEvent(e.position)}>#{e.position}</Link>
                      </th>
                      <td data-label={t('audit.eventType')} className="mono">{e.event_type}</td>
                      <td data-label={t('driver.provider')}>{providerLabel(e.provider)}</td>
                      <td data-label={t('audit.entityId')} className="mono">{e.entity_id}</td>
                      <td data-label={t('audit.observedAt')}>{formatDate(e.observed_at)}</td>
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
        hasNext={Boolean(page?.next_cursor)}
        loading={state.status === 'loading'}
        onPrevious={() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c))}
        onNext={() => page?.next_cursor && setCursors((c) => [...c, page.next_cursor])}
      />
    </section>
  );
}
