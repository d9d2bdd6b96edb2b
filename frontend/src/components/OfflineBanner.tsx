import { useOnline } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';

/** A live region that is always present, so screen readers announce the change. */
export function OfflineBanner() {
  const online = useOnline();
  const { t } = useI18n();
  return (
    <div role="status" aria-live="polite" className={online ? 'offline-slot' : 'offline-slot offline-banner'}>
      {online ? null : t('offline.banner')}
    </div>
  );
}
