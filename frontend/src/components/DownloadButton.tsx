import { useState } from 'react';
import { useI18n } from '../i18n/I18nProvider';
import { errorMessage } from './common';

interface Props {
  label: string;
  /** Fetches the file with the session's token and hands it to the browser. */
  run: () => Promise<void>;
  disabled?: boolean;
  /** The error in words (by default the API's, in French). */
  describe?: (error: unknown) => string;
}

/** A button that downloads a file, says it is busy meanwhile, and why it failed. */
export function DownloadButton({ label, run, disabled = false, describe }: Props) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function click() {
    setBusy(true);
    setError(null);
    try {
      await run();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button type="button" className="button" onClick={click} disabled={busy || disabled}>
        {busy ? t('export.busy') : label}
      </button>
      {error !== null && (
        <p className="field-error" role="alert">
          {describe ? describe(error) : errorMessage(t, error)}
        </p>
      )}
    </>
  );
}
