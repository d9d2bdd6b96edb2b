// "Rattacher": one unmapped account joins a person the manager finds by name, phone or
// e-mail, or becomes a person of its own. Each choice is one user action with its own
// Idempotency-Key, kept while the panel is open, so clicking again after a network error
// cannot decide twice.
import { useId, useRef, useState } from 'react';
import { createPerson, linkIdentity, listPeople, newUuid, type Person, type PersonIdentity } from '../../api/client';
import { DecisionNotices, LoadView } from '../../components/common';
import { useDebounced, useLoad } from '../../hooks';
import { useI18n } from '../../i18n/I18nProvider';
import { decisionError, identityName } from '../../people';
import { PlatformBadges } from './PlatformBadges';

interface Props {
  identity: PersonIdentity;
  onCancel: () => void;
  /** Called with the message to show once the account belongs to a person. */
  onLinked: (message: string) => void;
}

const NEW_PERSON = 'new';

export function LinkPanel({ identity, onCancel, onLinked }: Props) {
  const { t } = useI18n();
  const id = useId();
  const name = identityName(identity);
  const [query, setQuery] = useState(identity.last_name?.trim() ?? '');
  const q = useDebounced(query.trim(), 300);
  const [candidates, retry] = useLoad(`link|${q}`, (signal) => listPeople({ q, limit: 8, signal }));
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const keys = useRef(new Map<string, string>());
  const keyOf = (target: string) => keys.current.get(target) ?? keys.current.set(target, newUuid()).get(target)!;

  async function decide(target: string, call: (key: string) => Promise<Person>) {
    setBusy(true);
    setError('');
    try {
      const person = await call(keyOf(target));
      onLinked(t('people.linked', { driver: name, name: person.display_name }));
    } catch (e) {
      setError(decisionError(t, e));
      setBusy(false);
    }
  }

  return (
    <section className="card link-panel" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('people.linkTitle', { name })}</h3>
      <div className="field search">
        <label htmlFor={`${id}-q`}>{t('people.linkSearch')}</label>
        <input id={`${id}-q`} type="search" value={query} autoComplete="off" onChange={(e) => setQuery(e.target.value)} />
      </div>
      <LoadView state={candidates} retry={retry}>
        {(page) =>
          page.items.length === 0 ? (
            <p className="muted">{t('people.linkNone')}</p>
          ) : (
            <ul className="plain-list link-candidates">
              {page.items.map((p) => (
                <li key={p.person_id}>
                  <button
                    type="button"
                    className="button"
                    disabled={busy}
                    onClick={() => decide(p.person_id, (key) => linkIdentity(p.person_id, identity.identity_id, key))}
                  >
                    {t('people.linkTo', { name: p.display_name })}
                  </button>{' '}
                  <PlatformBadges identities={p.identities} />
                </li>
              ))}
            </ul>
          )
        }
      </LoadView>
      <DecisionNotices done="" error={error} />
      <p className="actions">
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={() => decide(NEW_PERSON, (key) => createPerson([identity.identity_id], key))}
        >
          {t('people.linkNew')}
        </button>{' '}
        <button type="button" className="button button-quiet" onClick={onCancel}>
          {t('people.linkCancel')}
        </button>
      </p>
    </section>
  );
}
