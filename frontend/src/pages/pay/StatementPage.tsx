// One person's week (GET /settlements/{id}): each platform's block, the lines with their
// sources down to the audit pages, the manager's lines editor, approve and pay with a
// confirmation, and the PDF.
import { useId } from 'react';
import { downloadPdf, getSettlement, type Settlement } from '../../api/pay';
import { DetailHead, LoadView, StateNote } from '../../components/common';
import { DownloadButton } from '../../components/DownloadButton';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n/I18nProvider';
import { paths } from '../../router';
import { Decisions } from './Decisions';
import { Lines } from './Lines';
import { DECIDERS } from './roles';
import { StatusBadge } from './StatusBadge';

const PLATFORM: Record<string, string> = { uber: 'Uber', bolt: 'Bolt' };

export function StatementPage({ settlementId, role }: { settlementId: string; role: string }) {
  const { t } = useI18n();
  const id = useId();
  const week = settlementId.split('_')[0] ?? '';
  const [state, retry] = useLoad(`statement|${settlementId}`, (signal) => getSettlement(settlementId, signal));
  let title = t('pay.statement', { week });
  if (state.status === 'ready') title = `${state.data.settlement.display_name} — ${title}`;
  return (
    <section aria-labelledby={`${id}-title`}>
      <DetailHead id={`${id}-title`} title={title} back={paths.pay(week)} backLabel={t('pay.back')} />
      <LoadView state={state} retry={retry} notFound={<StateNote>{t('pay.notFound')}</StateNote>}>
        {({ settlement, etag }) => (
          <>
            <Summary settlement={settlement} />
            {settlement.statement?.blocks.map((block) => (
              <section key={block.provider} aria-labelledby={`${id}-${block.provider}`}>
                <h2 id={`${id}-${block.provider}`}>
                  {PLATFORM[block.provider] ?? block.provider} — {t('pay.trips', { n: block.trips })}
                </h2>
                <Figures figures={block.figures} glossary={settlement.glossary[block.provider] ?? {}} />
              </section>
            ))}
            <Lines settlement={settlement} role={role} onChanged={retry} />
            {DECIDERS.includes(role) && <Decisions settlement={settlement} etag={etag} onChanged={retry} />}
          </>
        )}
      </LoadView>
    </section>
  );
}

function Summary({ settlement }: { settlement: Settlement }) {
  const { t, formatMoney, formatDate, formatDay } = useI18n();
  const balance = settlement.statement?.balance ?? 0;
  return (
    <div className="statement-summary">
      <p>
        <StatusBadge status={settlement.status} />{' '}
        {settlement.incomplete.length > 0 && (
          <span className="badge badge-warn">{t('pay.incomplete', { platforms: settlement.incomplete.join(', ') })}</span>
        )}
      </p>
      <p className="statement-balance">
        <strong>{t(balance >= 0 ? 'pay.net' : 'pay.owed')}</strong> {formatMoney(Math.abs(balance))}
      </p>
      {settlement.approved_at && <p>{t('pay.approvedOn', { at: formatDate(settlement.approved_at), by: settlement.approved_by ?? '' })}</p>}
      {settlement.override_reason && <p>{t('pay.override', { reason: settlement.override_reason })}</p>}
      {settlement.paid_on && (
        <p>{t('pay.paidOn', { day: formatDay(settlement.paid_on), reference: settlement.transfer_reference ?? '' })}</p>
      )}
      {settlement.cancel_reason && <p>{t('pay.cancelled', { reason: settlement.cancel_reason })}</p>}
      <div className="export">
        <DownloadButton label={t('pay.pdf')} run={() => downloadPdf(settlement.settlement_id)} />
      </div>
    </div>
  );
}

/** A platform's figures as it gives them, named by the glossary; zeros left out. */
function Figures({ figures, glossary }: { figures: Record<string, number>; glossary: Record<string, string> }) {
  const { formatMoney } = useI18n();
  const shown = Object.entries(figures).filter(([, amount]) => amount !== 0);
  if (shown.length === 0) return null;
  return (
    <dl className="figures">
      {shown.map(([key, amount]) => (
        <div key={key}>
          <dt>{glossary[key] ?? key}</dt>
          <dd>{formatMoney(amount)}</dd>
        </div>
      ))}
    </dl>
  );
}
