// The platform accounts no person owns yet, each with "Rattacher": to a person found by
// search, or to a new person of its own.
import { useId, useState } from 'react';
import { unmappedDrivers, type IdentityPage, type PersonIdentity } from '../../api/client';
import { DecisionNotices, EmptyState } from '../../components/common';
import { PagedTable, type Column } from '../../components/DataTable';
import { providerLabel } from '../../drivers';
import { usePagedLoad } from '../../hooks';
import { useI18n } from '../../i18n/I18nProvider';
import { identityName } from '../../people';
import { AccountName } from '../../components/AccountName';
import { LinkPanel } from './LinkPanel';

export function UnmappedDrivers() {
  const { t } = useI18n();
  const id = useId();
  const [linking, setLinking] = useState<PersonIdentity | null>(null);
  const [done, setDone] = useState('');
  const list = usePagedLoad<IdentityPage, string | null>('unmapped', null, (cursor, signal) => unmappedDrivers(cursor, signal), (p) => p.next_cursor);
  const none = t('value.none');
  const columns: Column<PersonIdentity>[] = [
    {
      header: t('people.col.name'),
      cell: (i) => (
        <>
          {identityName(i)} <span className={`provider provider-${i.provider}`}>{providerLabel(i.provider)}</span>
        </>
      ),
    },
    { header: t('drivers.col.phone'), cell: (i) => i.phone || none },
    { header: t('drivers.col.email'), cell: (i) => i.email || none, className: 'cell-email' },
    { header: t('vehicles.plate'), cell: (i) => (i.plate ? <span className="mono">{i.plate}</span> : none) },
    { header: t('people.col.account'), cell: (i) => <AccountName provider={i.provider} accountId={i.account_id} /> },
    {
      header: t('people.col.action'),
      cell: (i) => (
        <button
          type="button"
          className="button"
          aria-label={t('people.linkTitle', { name: identityName(i) })}
          onClick={() => {
            setDone('');
            setLinking(i);
          }}
        >
          {t('people.link')}
        </button>
      ),
    },
  ];
  return (
    <section className="unmapped" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('people.unmapped.title')}</h2>
      <p className="muted">{t('people.unmapped.intro')}</p>
      <DecisionNotices done={done} />
      {linking && (
        <LinkPanel
          key={linking.identity_id}
          identity={linking}
          onCancel={() => setLinking(null)}
          onLinked={(message) => {
            setLinking(null);
            setDone(message);
            list.retry();
          }}
        />
      )}
      <PagedTable
        list={list}
        empty={<EmptyState title={t('people.unmapped.empty')} />}
        className="table unmapped-table"
        columns={columns}
        rowKey={(i) => i.identity_id}
        caption={t('people.unmapped.caption', { page: list.pageNumber })}
      />
    </section>
  );
}
