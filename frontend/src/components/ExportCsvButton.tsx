import { useState } from 'react';
import { downloadCsv, type CsvFile } from '../api/csv';
import { useI18n } from '../i18n/I18nProvider';
import { errorMessage } from './common';

/** Downloads each file (one per provider with "Tous") with the session's token. */
export function ExportCsvButton({ files }: { files: CsvFile[] }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function run() {
    setBusy(true);
    setError(null);
    try {
      for (const file of files) await downloadCsv(file);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="export">
      <button type="button" className="button" onClick={run} disabled={busy || files.length === 0}>
        {busy ? t('export.busy') : t('export.csv')}
      </button>
      {error !== null && (
        <p className="field-error" role="alert">
          {(error as { status?: number }).status === 406 || (error as { status?: number }).status === 404
            ? t('export.unavailable')
            : errorMessage(t, error)}
        </p>
      )}
    </div>
  );
}
