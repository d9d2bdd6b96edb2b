// Approve a draft (with the ETag of the draft shown: 409 when it changed since) and pay an
// approved week; each asks for a confirmation that repeats the amount first.
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { approveSettlement, paySettlement, type Settlement } from '../../api/pay';
import { errorMessage } from '../../components/common';
import { useI18n } from '../../i18n/I18nProvider';

interface Props {
  settlement: Settlement;
  etag: string | null;
  onChanged: () => void;
}

export function Decisions({ settlement, etag, onChanged }: Props) {
  const { t } = useI18n();
  const id = useId();
  const canApprove = (settlement.status === 'draft' || settlement.status === 'cancelled') && etag !== null;
  if (!canApprove && settlement.status !== 'approved') return null;
  return (
    <section aria-labelledby={`${id}-title`} className="decisions">
      <h2 id={`${id}-title`}>{t('pay.decisions')}</h2>
      {canApprove && <Approve settlement={settlement} etag={etag} onDone={onChanged} />}
      {settlement.status === 'approved' && <Pay settlement={settlement} onDone={onChanged} />}
    </section>
  );
}

/** Runs `action` after a confirmation step; shows its error in French. */
function useConfirmed(action: () => Promise<unknown>, onDone: () => void) {
  const { t } = useI18n();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await action();
      setConfirming(false);
      onDone();
    } catch (e) {
      setError(errorMessage(t, e));
    } finally {
      setBusy(false);
    }
  }
  return { confirming, setConfirming, busy, error, confirm };
}

function Approve({ settlement, etag, onDone }: { settlement: Settlement; etag: string; onDone: () => void }) {
  const { t, formatMoney } = useI18n();
  const id = useId();
  const [reason, setReason] = useState('');
  const incomplete = settlement.incomplete.length > 0;
  const flow = useConfirmed(() => approveSettlement(settlement.settlement_id, etag, incomplete ? reason.trim() : undefined), onDone);
  const balance = settlement.statement?.balance ?? 0;
  return (
    <div>
      {incomplete && (
        <p>
          <label htmlFor={`${id}-reason`}>{t('pay.approve.reason', { platforms: settlement.incomplete.join(', ') })}</label>{' '}
          <input id={`${id}-reason`} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
        </p>
      )}
      <Confirmed
        flow={flow}
        ask={
          <button type="button" className="button" disabled={incomplete && !reason.trim()} onClick={() => flow.setConfirming(true)}>
            {t('pay.approve')}
          </button>
        }
        question={t('pay.approve.confirm', { name: settlement.display_name, week: settlement.week, amount: formatMoney(balance) })}
        yes={t('pay.approve.yes')}
      />
    </div>
  );
}

function Pay({ settlement, onDone }: { settlement: Settlement; onDone: () => void }) {
  const { t, formatMoney } = useI18n();
  const id = useId();
  const [day, setDay] = useState(new Date().toISOString().slice(0, 10));
  const [reference, setReference] = useState('');
  const flow = useConfirmed(() => paySettlement(settlement.settlement_id, day, reference.trim()), onDone);
  function ask(event: FormEvent) {
    event.preventDefault();
    flow.setConfirming(true);
  }
  return (
    <form onSubmit={ask} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('pay.pay.title')}</h3>
      <p>
        <label htmlFor={`${id}-day`}>{t('pay.pay.day')}</label>{' '}
        <input id={`${id}-day`} type="date" value={day} required onChange={(e) => setDay(e.target.value)} />
      </p>
      <p>
        <label htmlFor={`${id}-ref`}>{t('pay.pay.reference')}</label>{' '}
        <input id={`${id}-ref`} value={reference} required maxLength={200} onChange={(e) => setReference(e.target.value)} />
      </p>
      <Confirmed
        flow={flow}
        ask={
          <button type="submit" className="button" disabled={!reference.trim()}>
            {t('pay.pay')}
          </button>
        }
        question={t('pay.pay.confirm', { name: settlement.display_name, amount: formatMoney(settlement.statement?.balance ?? 0), reference })}
        yes={t('pay.pay.yes')}
      />
    </form>
  );
}

type Flow = ReturnType<typeof useConfirmed>;

/** The button that asks, then the question with "yes" and "cancel", then the error if any. */
function Confirmed({ flow, ask, question, yes }: { flow: Flow; ask: ReactNode; question: string; yes: string }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <>
      {!flow.confirming ? (
        ask
      ) : (
        <div role="alertdialog" aria-labelledby={id}>
          <p id={id}>{question}</p>
          <button type="button" className="button" disabled={flow.busy} onClick={flow.confirm}>
            {yes}
          </button>{' '}
          <button type="button" className="button button-quiet" onClick={() => flow.setConfirming(false)}>
            {t('pay.no')}
          </button>
        </div>
      )}
      {flow.error && (
        <p className="field-error" role="alert">
          {flow.error}
        </p>
      )}
    </>
  );
}
