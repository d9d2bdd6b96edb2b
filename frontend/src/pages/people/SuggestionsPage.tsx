// Pairs of platform accounts that may be one person (same name, same name and plate, or a
// strong key claimed by two people): the manager accepts (one person) or rejects (never
// suggested again). Each click is one decision with its own Idempotency-Key.
import { useId, useRef, useState } from 'react';
import {
  acceptSuggestion,
  newUuid,
  peopleSuggestions,
  rejectSuggestion,
  type Suggestion,
  type SuggestionPage,
} from '../../api/client';
import { DecisionNotices, DetailHead, EmptyState } from '../../components/common';
import { PagedTable, type Column } from '../../components/DataTable';
import { providerLabel } from '../../drivers';
import { usePagedLoad } from '../../hooks';
import { useI18n } from '../../i18n/I18nProvider';
import { decisionError, identityLabel, identityName } from '../../people';
import { paths } from '../../router';
import type { PersonIdentity } from '../../api/types';

function Side({ identity }: { identity: PersonIdentity }) {
  return (
    <>
      {identityName(identity)} <span className={`provider provider-${identity.provider}`}>{providerLabel(identity.provider)}</span>
      {(identity.phone || identity.plate) && (
        <span className="muted suggestion-keys"> {[identity.phone, identity.plate].filter(Boolean).join(' · ')}</span>
      )}
    </>
  );
}

export function SuggestionsPage() {
  const { t, formatNumber } = useI18n();
  const id = useId();
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const keys = useRef(new Map<string, string>());
  const list = usePagedLoad<SuggestionPage, string | null>('suggestions', null, (c, s) => peopleSuggestions(c, s), (p) => p.next_cursor);

  /** One click: the key of (suggestion, choice) is kept, so a retry after a failure decides once. */
  async function decide(s: Suggestion, choice: 'accept' | 'reject') {
    const action = `${s.suggestion_id}|${choice}`;
    const key = keys.current.get(action) ?? newUuid();
    keys.current.set(action, key);
    setBusy(true);
    setError('');
    setMessage('');
    try {
      if (choice === 'accept') {
        const person = await acceptSuggestion(s.suggestion_id, key);
        setMessage(t('suggestions.accepted', { name: person.display_name }));
      } else {
        await rejectSuggestion(s.suggestion_id, key);
        setMessage(t('suggestions.rejected'));
      }
      list.retry();
    } catch (e) {
      setError(decisionError(t, e));
    } finally {
      setBusy(false);
    }
  }

  const columns: Column<Suggestion>[] = [
    { header: t('suggestions.col.first'), cell: (s) => <Side identity={s.identity} /> },
    { header: t('suggestions.col.second'), cell: (s) => <Side identity={s.other} /> },
    { header: t('suggestions.col.why'), cell: (s) => s.reasons.join(', ') },
    { header: t('suggestions.col.score'), cell: (s) => formatNumber(s.score) },
    {
      header: t('people.col.action'),
      cell: (s) => {
        const names = { first: identityLabel(s.identity), second: identityLabel(s.other) };
        return (
          <span className="actions">
            <button type="button" className="button" disabled={busy} aria-label={t('suggestions.acceptLabel', names)} onClick={() => decide(s, 'accept')}>
              {t('suggestions.accept')}
            </button>{' '}
            <button type="button" className="button button-quiet" disabled={busy} aria-label={t('suggestions.rejectLabel', names)} onClick={() => decide(s, 'reject')}>
              {t('suggestions.reject')}
            </button>
          </span>
        );
      },
    },
  ];
  return (
    <section className="suggestions" aria-labelledby={`${id}-title`}>
      <DetailHead id={`${id}-title`} title={t('suggestions.title')} back={paths.drivers()} backLabel={t('person.back')} />
      <p className="muted">{t('suggestions.intro')}</p>
      <DecisionNotices done={message} error={error} />
      <PagedTable
        list={list}
        empty={<EmptyState title={t('suggestions.empty')} />}
        className="table suggestions-table"
        columns={columns}
        rowKey={(s) => s.suggestion_id}
        caption={t('suggestions.caption', { page: list.pageNumber })}
      />
    </section>
  );
}
