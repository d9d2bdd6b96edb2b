import { useId, type KeyboardEvent } from 'react';
import { PageHeading } from '../components/common';
import type { MessageKey } from '../i18n/dictionary';
import { useI18n } from '../i18n/I18nProvider';
import { Link, paths, useNavigate, type AuditView } from '../router';
import { EventsView } from './audit/EventsView';
import { FetchesView } from './audit/FetchesView';
import { QuarantineView } from './audit/QuarantineView';

const VIEWS: { view: AuditView; title: MessageKey; to: string }[] = [
  { view: 'events', title: 'audit.title', to: paths.audit() },
  { view: 'fetches', title: 'fetches.title', to: paths.auditFetches() },
  { view: 'quarantine', title: 'quarantine.title', to: paths.auditQuarantine() },
];

const KEYS: Record<string, (index: number, last: number) => number> = {
  ArrowRight: (i, last) => (i === last ? 0 : i + 1),
  ArrowLeft: (i, last) => (i === 0 ? last : i - 1),
  Home: () => 0,
  End: (_, last) => last,
};

/**
 * What the providers sent, for auditors: the event log, every call with its exact answer, and
 * the records refused. The views are tabs (WAI-ARIA pattern, selection follows focus) that are
 * also addresses (/audit, /audit/appels, /audit/quarantaine); the page stays mounted when the
 * tab changes, so the focus stays on the tab.
 */
export function AuditPage({ view }: { view: AuditView }) {
  const { t } = useI18n();
  const id = useId();
  const tabId = (v: AuditView) => `${id}-tab-${v}`;
  const current = VIEWS.find((v) => v.view === view) ?? VIEWS[0]!;
  const navigate = useNavigate();

  function onKeyDown(event: KeyboardEvent<HTMLAnchorElement>, index: number) {
    const move = KEYS[event.key];
    if (!move) return;
    event.preventDefault();
    const target = VIEWS[move(index, VIEWS.length - 1)]!;
    document.getElementById(tabId(target.view))?.focus();
    navigate(target.to);
  }

  return (
    <section aria-labelledby={`${id}-title`}>
      <PageHeading id={`${id}-title`} title={t(current.title)}>
        {t(current.title)}
      </PageHeading>
      <div className="tabs" role="tablist" aria-label={t('audit.views')}>
        {VIEWS.map((v, index) => {
          const selected = v.view === view;
          return (
            <Link
              key={v.view}
              to={v.to}
              id={tabId(v.view)}
              role="tab"
              className="tab"
              aria-selected={selected}
              aria-controls={selected ? `${id}-panel` : undefined}
              tabIndex={selected ? 0 : -1}
              onKeyDown={(event) => onKeyDown(event, index)}
            >
              {t(v.title)}
            </Link>
          );
        })}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={tabId(view)} className="tab-panel">
        {view === 'events' && <EventsView />}
        {view === 'fetches' && <FetchesView />}
        {view === 'quarantine' && <QuarantineView />}
      </div>
    </section>
  );
}
