// "Paie": every person's week (GET /settlements): per-platform lines, the other lines, the
// balance and the state, filtered by state, incomplete weeks and negative balances; the week
// chosen with an ISO-week picker (Monday first, the open week marked); the week's files.
import { useId, useState } from 'react';
import { useSearchParams } from 'react-router';
import { downloadWeek, listSettlements, type SettlementFilters, type SettlementSummary, type SettlementStatus } from '../../api/pay';
import { EmptyState, ItemsView, PageHeading } from '../../components/common';
import { DownloadButton } from '../../components/DownloadButton';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n/I18nProvider';
import { Link, paths } from '../../router';
import { currentWeek, shiftWeek, weekDays, weeksAround } from './weeks';
import { StatusBadge } from './StatusBadge';

const STATUSES: SettlementStatus[] = ['draft', 'approved', 'paid', 'cancelled'];

export function PayPage() {
  const { t } = useI18n();
  const id = useId();
  const [search, setSearch] = useSearchParams();
  const open = currentWeek();
  const week = search.get('semaine') ?? open;
  const [filters, setFilters] = useState<SettlementFilters>({});
  const key = `pay|${week}|${filters.status ?? ''}|${filters.incomplete ?? ''}|${filters.negative ?? ''}`;
  const [state, retry] = useLoad(key, (signal) => listSettlements(week, filters, signal));
  const choose = (next: string) => setSearch(next === open ? {} : { semaine: next });
  return (
    <section aria-labelledby={`${id}-title`}>
      <PageHeading id={`${id}-title`} title={t('pay.title')}>
        {t('pay.title')}
      </PageHeading>
      <p>{t('pay.intro')}</p>
      <WeekPicker week={week} open={open} onChange={choose} />
      <Filters filters={filters} onChange={setFilters} />
      <Exports week={week} />
      <ItemsView state={state} retry={retry} empty={<EmptyState title={t('pay.empty')} />}>
        {(page) => (
          <div className="table-wrap">
          <table className="table numbers">
            <caption className="visually-hidden">{t('pay.caption', { week: page.week })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('pay.col.name')}</th>
                <th scope="col">Uber</th>
                <th scope="col">Bolt</th>
                <th scope="col">{t('pay.col.lines')}</th>
                <th scope="col">{t('pay.col.balance')}</th>
                <th scope="col">{t('pay.col.status')}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((item) => (
                <Row key={item.settlement_id} item={item} />
              ))}
            </tbody>
          </table>
          </div>
        )}
      </ItemsView>
    </section>
  );
}

function Row({ item }: { item: SettlementSummary }) {
  const { t, formatMoney } = useI18n();
  const net = item.platform_net ?? {};
  const money = (p: string) => (p in net ? formatMoney(net[p]) : '—');
  return (
    <tr>
      <th scope="row">
        <Link to={paths.statement(item.settlement_id)}>{item.display_name}</Link>
      </th>
      <td>{money('uber')}</td>
      <td>{money('bolt')}</td>
      <td>{formatMoney(item.other_lines ?? 0)}</td>
      <td>{formatMoney(item.balance)}</td>
      <td>
        <StatusBadge status={item.status} />
        {item.incomplete.length > 0 && (
          <span className="badge badge-warn">{t('pay.incomplete', { platforms: item.incomplete.join(', ') })}</span>
        )}
      </td>
    </tr>
  );
}

/** Previous / next and a list of weeks, each named by its Monday and Sunday; the open week marked. */
export function WeekPicker({ week, open, onChange }: { week: string; open: string; onChange: (week: string) => void }) {
  const { t, formatDay } = useI18n();
  const id = useId();
  const label = (w: string) => {
    const { monday, sunday } = weekDays(w);
    const text = t('pay.weekRange', { week: w, monday: formatDay(monday, false), sunday: formatDay(sunday) });
    return w === open ? `${text} — ${t('pay.openWeek')}` : text;
  };
  return (
    <div className="section-head" role="group" aria-label={t('pay.week')}>
      <button type="button" className="button button-quiet" onClick={() => onChange(shiftWeek(week, -1))}>
        {t('quality.previous')}
      </button>
      <label htmlFor={id} className="visually-hidden">
        {t('pay.week')}
      </label>
      <select id={id} value={week} onChange={(e) => onChange(e.target.value)}>
        {weeksAround(open).includes(week) ? null : <option value={week}>{label(week)}</option>}
        {weeksAround(open).map((w) => (
          <option key={w} value={w}>
            {label(w)}
          </option>
        ))}
      </select>
      <button type="button" className="button button-quiet" onClick={() => onChange(shiftWeek(week, 1))}>
        {t('quality.next')}
      </button>
      {week === open && <span className="badge badge-neutral">{t('pay.openWeek')}</span>}
    </div>
  );
}

function Filters({ filters, onChange }: { filters: SettlementFilters; onChange: (f: SettlementFilters) => void }) {
  const { t } = useI18n();
  const id = useId();
  const flag = (name: 'incomplete' | 'negative') => (
    <label>
      <input
        type="checkbox"
        checked={filters[name] === true}
        onChange={(e) => onChange({ ...filters, [name]: e.target.checked ? true : undefined })}
      />{' '}
      {t(name === 'incomplete' ? 'pay.filter.incomplete' : 'pay.filter.negative')}
    </label>
  );
  return (
    <fieldset className="filters">
      <legend className="visually-hidden">{t('pay.filters')}</legend>
      <label htmlFor={`${id}-status`}>{t('pay.col.status')}</label>{' '}
      <select
        id={`${id}-status`}
        value={filters.status ?? ''}
        onChange={(e) => onChange({ ...filters, status: (e.target.value || undefined) as SettlementStatus | undefined })}
      >
        <option value="">{t('pay.filter.all')}</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {t(`pay.status.${s}`)}
          </option>
        ))}
      </select>{' '}
      {flag('incomplete')} {flag('negative')}
    </fieldset>
  );
}

/** The week's files: the accountant's CSV, the payroll CSV, every statement's PDF in a ZIP. */
function Exports({ week }: { week: string }) {
  const { t } = useI18n();
  return (
    <div className="export" role="group" aria-label={t('pay.exports')}>
      {(['csv', 'payroll', 'zip'] as const).map((format) => (
        <DownloadButton key={format} label={t(`pay.export.${format}`)} run={() => downloadWeek(week, format)} />
      ))}
    </div>
  );
}
