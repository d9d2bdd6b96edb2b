import { useI18n } from '../i18n/I18nProvider';

interface Props {
  pageNumber: number;
  hasNext: boolean;
  loading: boolean;
  onPrevious: () => void;
  onNext: () => void;
}

/** Previous / page n / next, shown once there is more than one page. */
export function Pagination({ pageNumber, hasNext, loading, onPrevious, onNext }: Props) {
  const { t, formatNumber } = useI18n();
  if (pageNumber <= 1 && !hasNext) return null;
  return (
    <nav className="pagination" aria-label={t('drivers.pagination')}>
      <button type="button" className="button" onClick={onPrevious} disabled={pageNumber <= 1 || loading}>
        {t('drivers.previous')}
      </button>
      <span className="page-number">{t('drivers.page', { page: formatNumber(pageNumber) })}</span>
      <button type="button" className="button" onClick={onNext} disabled={!hasNext || loading}>
        {t('drivers.next')}
      </button>
    </nav>
  );
}
