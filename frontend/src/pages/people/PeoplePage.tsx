// "Chauffeurs": the people (one per human driver, across Uber and Bolt), searched by name,
// phone, e-mail or plate; below, the platform accounts no person owns yet, each with
// "Rattacher". The per-platform account lists stay one click away ("Comptes par plateforme").
import { useId, useState } from 'react';
import { listPeople, type Person, type PersonPage } from '../../api/client';
import type { CsvFile } from '../../api/csv';
import { EmptyState, PageHeading } from '../../components/common';
import { PagedTable, type Column } from '../../components/DataTable';
import { ExportCsvButton } from '../../components/ExportCsvButton';
import { useDebounced, usePagedLoad } from '../../hooks';
import { useI18n } from '../../i18n/I18nProvider';
import { firstOf } from '../../people';
import { Link, paths } from '../../router';
import { PlatformBadges } from './PlatformBadges';
import { UnmappedDrivers } from './UnmappedDrivers';

export const PEOPLE_PAGE_SIZE = 50;

export function PeoplePage({ pageSize = PEOPLE_PAGE_SIZE }: { pageSize?: number }) {
  const { t } = useI18n();
  const id = useId();
  const [query, setQuery] = useState('');
  const q = useDebounced(query.trim(), 300);
  const people = usePagedLoad<PersonPage, string | null>(
    JSON.stringify([q, pageSize]),
    null,
    (cursor, signal) => listPeople({ limit: pageSize, cursor, q, signal }),
    (page) => page.next_cursor,
  );
  const none = t('value.none');
  const columns: Column<Person>[] = [
    {
      header: t('people.col.name'),
      cell: (p) => (
        <Link to={paths.person(p.person_id)} className="person-link">
          {p.display_name || t('driver.unnamed')}
        </Link>
      ),
    },
    { header: t('people.col.platforms'), cell: (p) => <PlatformBadges identities={p.identities} /> },
    { header: t('drivers.col.phone'), cell: (p) => firstOf(p.identities, (i) => i.phone) || none },
    { header: t('drivers.col.email'), cell: (p) => firstOf(p.identities, (i) => i.email) || none, className: 'cell-email' },
  ];
  const file: CsvFile = { path: '/people', query: q ? { q } : {}, filename: 'chauffeurs.csv' };

  return (
    <section className="people" aria-labelledby={`${id}-title`}>
      <div className="page-head">
        <PageHeading id={`${id}-title`} title={t('people.title')}>
          {t('people.title')}
        </PageHeading>
        <form role="search" className="filters" onSubmit={(e) => e.preventDefault()}>
          <div className="field search">
            <label htmlFor={`${id}-q`}>{t('people.search')}</label>
            <input
              id={`${id}-q`}
              type="search"
              value={query}
              placeholder={t('people.searchPlaceholder')}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => setQuery(e.target.value)}
            />
          </div>
        </form>
        <ExportCsvButton files={[file]} />
      </div>
      <p className="page-links">
        <Link to={paths.suggestions()}>{t('people.suggestions')}</Link>
        {' · '}
        <Link to={paths.accounts()}>{t('people.accounts')}</Link>
      </p>
      <PagedTable
        list={people}
        empty={<EmptyState title={t('people.empty')}>{q ? t('drivers.emptySearch', { q }) : null}</EmptyState>}
        className="table people-table"
        columns={columns}
        rowKey={(p) => p.person_id}
        caption={t('people.caption', { page: people.pageNumber })}
      />
      <UnmappedDrivers />
    </section>
  );
}
