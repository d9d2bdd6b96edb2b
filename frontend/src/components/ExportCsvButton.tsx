import { downloadCsv, type CsvFile } from '../api/csv';
import { useI18n } from '../i18n/I18nProvider';
import { errorMessage } from './common';
import { DownloadButton } from './DownloadButton';

/** Downloads each file (one per provider with "Tous") with the session's token. */
export function ExportCsvButton({ files }: { files: CsvFile[] }) {
  const { t } = useI18n();
  const describe = (error: unknown) => {
    const status = (error as { status?: number }).status;
    return status === 406 || status === 404 ? t('export.unavailable') : errorMessage(t, error);
  };
  async function run() {
    for (const file of files) await downloadCsv(file);
  }
  return (
    <div className="export">
      <DownloadButton label={t('export.csv')} run={run} disabled={files.length === 0} describe={describe} />
    </div>
  );
}
