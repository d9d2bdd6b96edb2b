// A statement's lines: each with its amount, its sources (the log's events, each a link to
// its audit page, for those who may read them), the manager's lines removable while the week
// is open, and the form that adds one.
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { addLine, lineSources, removeLine, type NewLine, type Settlement, type StatementLine } from '../../api/pay';
import { errorMessage, LoadView } from '../../components/common';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n/I18nProvider';
import type { MessageKey } from '../../i18n/dictionary';
import { Link, paths } from '../../router';
import { DECIDERS, SOURCE_READERS } from './roles';
import { parseEuros } from './weeks';

const MANAGER_KINDS = ['recurring', 'one_off'];
const CATEGORIES: NewLine['category'][] = ['fuel', 'tolls', 'fines', 'damage', 'advance', 'bonus', 'rent', 'deposit', 'insurance', 'other'];

interface Props {
  settlement: Settlement;
  role: string;
  onChanged: () => void;
}

export function Lines({ settlement, role, onChanged }: Props) {
  const { t } = useI18n();
  const id = useId();
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const editable = DECIDERS.includes(role) && (settlement.status === 'draft' || settlement.status === 'cancelled');
  const lines = settlement.statement?.lines ?? [];

  async function remove(line: StatementLine) {
    setError(null);
    try {
      await removeLine(settlement.settlement_id, line.line_id);
      onChanged();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section aria-labelledby={`${id}-lines`}>
      <h2 id={`${id}-lines`}>{t('pay.lines')}</h2>
      <div className="table-wrap">
        <table className="table numbers">
          <caption className="visually-hidden">{t('pay.lines')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('pay.line.label')}</th>
              <th scope="col">{t('pay.line.amount')}</th>
              <th scope="col">{t('pay.line.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((line) => (
              <LineRow
                key={line.line_id}
                line={line}
                open={open === line.line_id}
                onToggle={SOURCE_READERS.includes(role) ? () => setOpen(open === line.line_id ? null : line.line_id) : undefined}
                onRemove={editable && MANAGER_KINDS.includes(line.kind) ? () => remove(line) : undefined}
                settlementId={settlement.settlement_id}
              />
            ))}
          </tbody>
        </table>
      </div>
      {error !== null && (
        <p className="field-error" role="alert">
          {errorMessage(t, error)}
        </p>
      )}
      {editable && <AddLine settlementId={settlement.settlement_id} onAdded={onChanged} />}
    </section>
  );
}

interface RowProps {
  line: StatementLine;
  open: boolean;
  onToggle?: () => void;
  onRemove?: () => void;
  settlementId: string;
}

function LineRow({ line, open, onToggle, onRemove, settlementId }: RowProps) {
  const { t, formatMoney } = useI18n();
  const vat = line.ht != null && line.vat != null ? ` (${t('pay.line.vat', { ht: formatMoney(line.ht), vat: formatMoney(line.vat) })})` : '';
  return (
    <>
      <tr>
        <th scope="row">
          {line.label}
          {vat}
          {line.receipt ? ` — ${t('pay.line.receipt', { receipt: line.receipt })}` : ''}
        </th>
        <td>{formatMoney(line.amount)}</td>
        <td>
          {onToggle && line.sources.length > 0 && (
            <button type="button" className="button button-quiet" aria-expanded={open} onClick={onToggle}>
              {t('pay.line.sources', { n: line.sources.length })}
            </button>
          )}
          {onRemove && (
            <button type="button" className="button button-quiet" onClick={onRemove}>
              {t('pay.line.remove', { label: line.label })}
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={3}>
            <Sources settlementId={settlementId} lineId={line.line_id} />
          </td>
        </tr>
      )}
    </>
  );
}

/** The events a line came from, each a link to its audit page (the provider's bytes). */
function Sources({ settlementId, lineId }: { settlementId: string; lineId: string }) {
  const { t, formatDate } = useI18n();
  const [state, retry] = useLoad(`sources|${settlementId}|${lineId}`, (signal) => lineSources(settlementId, lineId, signal));
  return (
    <LoadView state={state} retry={retry}>
      {(found) => (
        <ul aria-label={t('pay.line.sourcesOf', { label: found.line.label })}>
          {found.events.map((event) => (
            <li key={event.position}>
              <Link to={paths.auditEvent(event.position)}>{t('pay.line.event', { position: event.position })}</Link>{' '}
              {event.provider} · {event.event_type} · {formatDate(event.observed_at)}
            </li>
          ))}
        </ul>
      )}
    </LoadView>
  );
}

function AddLine({ settlementId, onAdded }: { settlementId: string; onAdded: () => void }) {
  const { t } = useI18n();
  const id = useId();
  const [kind, setKind] = useState<NewLine['kind']>('one_off');
  const [category, setCategory] = useState<NewLine['category']>('fuel');
  const [label, setLabel] = useState('');
  const [amount, setAmount] = useState('');
  const [sign, setSign] = useState<'deduct' | 'pay'>('deduct');
  const [receipt, setReceipt] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const cents = parseEuros(amount);
    if (cents === null || !label.trim()) {
      setError(t('pay.add.invalid'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const line = { kind, category, label: label.trim(), amount: sign === 'deduct' ? -cents : cents, receipt: receipt || undefined };
      await addLine(settlementId, line);
      setLabel('');
      setAmount('');
      setReceipt('');
      onAdded();
    } catch (e) {
      setError(errorMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  const field = (name: string, text: MessageKey, input: ReactNode) => (
    <p>
      <label htmlFor={`${id}-${name}`}>{t(text)}</label> {input}
    </p>
  );
  return (
    <form onSubmit={submit} aria-labelledby={`${id}-title`} className="add-line">
      <h3 id={`${id}-title`}>{t('pay.add.title')}</h3>
      {field('kind', 'pay.add.kind', (
        <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as NewLine['kind'])}>
          <option value="one_off">{t('pay.add.oneOff')}</option>
          <option value="recurring">{t('pay.add.recurring')}</option>
        </select>
      ))}
      {field('category', 'pay.add.category', (
        <select id={`${id}-category`} value={category} onChange={(e) => setCategory(e.target.value as NewLine['category'])}>
          {CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {t(`pay.category.${c}` as MessageKey)}
            </option>
          ))}
        </select>
      ))}
      {field('label', 'pay.add.label', <input id={`${id}-label`} value={label} maxLength={200} onChange={(e) => setLabel(e.target.value)} />)}
      {field('sign', 'pay.add.sign', (
        <select id={`${id}-sign`} value={sign} onChange={(e) => setSign(e.target.value as 'deduct' | 'pay')}>
          <option value="deduct">{t('pay.add.deduct')}</option>
          <option value="pay">{t('pay.add.pay')}</option>
        </select>
      ))}
      {field('amount', 'pay.add.amount', <input id={`${id}-amount`} inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />)}
      {field('receipt', 'pay.add.receipt', <input id={`${id}-receipt`} value={receipt} maxLength={200} onChange={(e) => setReceipt(e.target.value)} />)}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button" disabled={busy}>
        {t('pay.add.submit')}
      </button>
    </form>
  );
}
