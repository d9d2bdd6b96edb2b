// Who linked, unlinked, merged or renamed this person, when and why; automatic links too.
import { useId } from 'react';
import { personHistory, type PersonDecision, type PersonHistory as History } from '../../api/client';
import { EmptyState } from '../../components/common';
import { PagedTable, type Column } from '../../components/DataTable';
import { usePagedLoad } from '../../hooks';
import { fr, type MessageKey } from '../../i18n/dictionary';
import { useI18n, type I18n } from '../../i18n/I18nProvider';

function kindLabel(t: I18n['t'], kind: string): string {
  const key = `decision.${kind}`;
  return key in fr ? t(key as MessageKey) : kind;
}

export function PersonHistory({ personId }: { personId: string }) {
  const { t, formatDate } = useI18n();
  const id = useId();
  const list = usePagedLoad<History, string | null>(
    `history|${personId}`,
    null,
    (cursor, signal) => personHistory(personId, cursor, signal),
    (page) => page.next_cursor,
  );
  const columns: Column<PersonDecision>[] = [
    { header: t('person.history.when'), cell: (d) => <time dateTime={d.decided_at}>{formatDate(d.decided_at)}</time> },
    { header: t('person.history.what'), cell: (d) => kindLabel(t, d.kind) },
    { header: t('person.history.who'), cell: (d) => d.user_email || t('person.history.automatic') },
    { header: t('person.history.why'), cell: (d) => d.reason || d.reasons.join(', ') || t('value.none') },
  ];
  return (
    <section className="person-history" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('person.history')}</h2>
      <PagedTable
        list={list}
        empty={<EmptyState title={t('person.historyEmpty')} />}
        columns={columns}
        rowKey={(d) => `${d.position}|${d.kind}|${d.identity_ids.join(',')}`}
        caption={t('person.history')}
      />
    </section>
  );
}
