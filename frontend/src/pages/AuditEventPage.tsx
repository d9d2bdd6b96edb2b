import { useId } from 'react';
import { auditEvent } from '../api/client';
import { DetailHead, LoadView } from '../components/common';
import { providerLabel } from '../drivers';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';
import { paths } from '../router';

/** One event: envelope, the provider's record exactly as sent, and the call that fetched it. */
export function AuditEventPage({ position }: { position: string }) {
  const { t, formatDate } = useI18n();
  const id = useId();
  const [state, retry] = useLoad(position, (signal) => auditEvent(position, signal));
  const title = t('audit.event', { position });
  const none = t('value.none');
  return (
    <section aria-labelledby={`${id}-title`}>
      <DetailHead id={`${id}-title`} title={title} back={paths.audit()} backLabel={t('audit.back')} />
      <LoadView state={state} retry={retry}>
        {(e) => (
          <>
            <dl className="card details">
              <div><dt>{t('audit.eventType')}</dt><dd className="mono">{e.event_type}</dd></div>
              <div><dt>{t('driver.provider')}</dt><dd>{providerLabel(e.provider)}</dd></div>
              <div><dt>{t('audit.entityId')}</dt><dd className="mono">{e.entity_id}</dd></div>
              <div><dt>{t('audit.eventId')}</dt><dd className="mono">{e.event_id}</dd></div>
              <div><dt>{t('audit.observedAt')}</dt><dd>{formatDate(e.observed_at)}</dd></div>
              <div><dt>{t('audit.recordedAt')}</dt><dd>{formatDate(e.recorded_at)}</dd></div>
            </dl>
            <h2>{t('audit.record')}</h2>
            <p className="muted">
              SHA-256 <code className="mono">{e.record_sha256}</code>
            </p>
            <pre className="raw" tabIndex={0} aria-label={t('audit.record')}>{e.record}</pre>
            <h2>{t('audit.fetch')}</h2>
            {e.fetch ? (
              <dl className="card details">
                <div><dt>{t('audit.endpoint')}</dt><dd className="mono">{e.fetch.method ?? 'GET'} {e.fetch.endpoint}</dd></div>
                <div><dt>{t('audit.params')}</dt><dd className="mono">{JSON.stringify(e.fetch.params)}</dd></div>
                <div><dt>{t('audit.httpStatus')}</dt><dd>{e.fetch.status ?? none}</dd></div>
                <div><dt>{t('audit.startedAt')}</dt><dd>{formatDate(e.fetch.started_at)}</dd></div>
                <div><dt>{t('audit.duration')}</dt><dd>{e.fetch.duration_ms} ms</dd></div>
              </dl>
            ) : (
              <p className="muted">{t('audit.noFetch')}</p>
            )}
          </>
        )}
      </LoadView>
    </section>
  );
}
