import { useI18n } from '../../i18n/I18nProvider';
import type { MessageKey } from '../../i18n/dictionary';

const TONE: Record<string, string> = { draft: 'neutral', approved: 'ok', paid: 'ok', cancelled: 'off' };

/** A settlement's state, in words and colour. */
export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  return <span className={`badge badge-${TONE[status] ?? 'neutral'}`}>{t(`pay.status.${status}` as MessageKey)}</span>;
}
