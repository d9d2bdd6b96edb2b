// What the three audit views share: a filter form (platform, the view's own fields, a window of
// Paris days) applied on submit, the order (newest first unless switched, applied at once), a
// CSV of every matching row in that order, and the keyset-paged table.
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { type AuditOrder, type AuditWindow, type Page } from '../../api/client';
import type { CsvFile } from '../../api/csv';
import { PagedTable, type Column } from '../../components/DataTable';
import { ExportCsvButton } from '../../components/ExportCsvButton';
import { usePagedLoad, type PagedLoad } from '../../hooks';
import { useI18n } from '../../i18n/I18nProvider';

type LoadPage<F, T> = (filters: F, cursor: string | null, signal: AbortSignal) => Promise<Page<T>>;

export interface AuditListState<F, T> {
  draft: F;
  setDraft: (draft: F) => void;
  filters: F;
  list: PagedLoad<Page<T>, string | null>;
  apply: () => void;
  setOrder: (order: AuditOrder) => void;
}

/** Auditors mostly read the history from the latest backwards. */
const NEWEST_FIRST: AuditOrder = 'desc';

/** The filters being edited, those applied, and the page of rows they select. */
export function useAuditList<F extends AuditWindow, T>(empty: F, load: LoadPage<F, T>): AuditListState<F, T> {
  const [draft, setDraft] = useState<F>({ ...empty, order: NEWEST_FIRST });
  const [filters, setFilters] = useState<F>({ ...empty, order: NEWEST_FIRST });
  const list = usePagedLoad(
    JSON.stringify(filters),
    null as string | null,
    (cursor, signal) => load(filters, cursor, signal),
    (page) => page.next_cursor,
  );
  const apply = () => {
    setFilters(draft);
    list.reset(); // applying the same filters again also starts from the first page
  };
  // Another order is another list (a cursor belongs to one order): it starts from its first
  // page, with the filters already applied; the form's edits wait for "Filtrer".
  const setOrder = (order: AuditOrder) => {
    setDraft({ ...draft, order });
    setFilters({ ...filters, order });
  };
  return { draft, setDraft, filters, list, apply, setOrder };
}

export interface FilterField<F> {
  name: keyof F & string;
  label: string;
  type?: 'text' | 'number';
  min?: number;
  max?: number;
}

interface AuditListProps<F, T> {
  state: AuditListState<F, T>;
  /** The view's own filters, between the platform and the days. */
  fields: FilterField<F>[];
  /** The CSV of every row the applied filters select. */
  csv: (filters: F) => CsvFile;
  columns: Column<T>[];
  rowKey: (row: T) => number;
  caption: string;
  empty: ReactNode;
  /** Shown between the filters and the table (e.g. a response opened from a row). */
  children?: ReactNode;
}

/** Filters, CSV export and the paged table of one audit list. */
export function AuditList<F extends AuditWindow, T>({ state, fields, csv, children, ...table }: AuditListProps<F, T>) {
  const { t } = useI18n();
  const id = useId();
  const { draft, setDraft } = state;
  function submit(event: FormEvent) {
    event.preventDefault();
    state.apply();
  }
  const input = (name: keyof F & string, label: string, type: string, min?: number, max?: number) => (
    <div className="field" key={name}>
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input
        id={`${id}-${name}`}
        type={type}
        min={min}
        max={max}
        inputMode={type === 'number' ? 'numeric' : undefined}
        value={String(draft[name] ?? '')}
        onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
      />
    </div>
  );
  return (
    <>
      <div className="list-tools">
        <div className="field">
          <label htmlFor={`${id}-order`}>{t('audit.order')}</label>
          <select id={`${id}-order`} value={state.filters.order} onChange={(e) => state.setOrder(e.target.value as AuditOrder)}>
            <option value="desc">{t('audit.newestFirst')}</option>
            <option value="asc">{t('audit.oldestFirst')}</option>
          </select>
        </div>
        <ExportCsvButton files={[csv(state.filters)]} />
      </div>
      <form className="filters card" onSubmit={submit} aria-label={t('audit.filters')}>
        <div className="field">
          <label htmlFor={`${id}-provider`}>{t('driver.provider')}</label>
          <select id={`${id}-provider`} value={draft.provider ?? ''} onChange={(e) => setDraft({ ...draft, provider: e.target.value })}>
            <option value="">{t('provider.all')}</option>
            <option value="uber">Uber</option>
            <option value="bolt">Bolt</option>
          </select>
        </div>
        {fields.map((f) => input(f.name, f.label, f.type ?? 'text', f.min, f.max))}
        {input('from', t('range.from'), 'date')}
        {input('to', t('range.to'), 'date')}
        <button type="submit" className="button">
          {t('audit.apply')}
        </button>
      </form>
      {children}
      <PagedTable list={state.list} {...table} />
    </>
  );
}
