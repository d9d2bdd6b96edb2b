// One provider call's response, exactly as stored: shown as text (UTF-8, as providers answer)
// and downloadable as the raw bytes, which are what an auditor compares with the SHA-256.
import { useEffect, useMemo, useRef } from 'react';
import { auditFetchBody, type AuditFetch, type FetchBody } from '../../api/client';
import { saveFile } from '../../api/csv';
import { LoadView } from '../../components/common';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n/I18nProvider';

/** Beyond this many characters the page shows the start only; the download has everything. */
export const MAX_SHOWN = 1_000_000;

/** The call's method, endpoint and parameters (secrets are never stored). */
export function FetchRequest({ fetch }: { fetch: AuditFetch }) {
  const params = Object.keys(fetch.params ?? {}).length ? JSON.stringify(fetch.params) : '';
  return (
    <>
      <span className="mono">
        {fetch.method} {fetch.endpoint}
      </span>
      {params && <span className="cell-note mono">{params}</span>}
    </>
  );
}

export function decodeBody(bytes: ArrayBuffer): { text: string; utf8: boolean; cut: boolean } {
  let text: string;
  let utf8 = true;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    utf8 = false;
    text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  }
  return { text: text.slice(0, MAX_SHOWN), utf8, cut: text.length > MAX_SHOWN };
}

const EXTENSIONS: [RegExp, string][] = [
  [/json/, 'json'],
  [/csv/, 'csv'],
  [/xml/, 'xml'],
  [/html/, 'html'],
  [/^text\//, 'txt'],
];

export function bodyFilename(fetchId: number, contentType: string): string {
  const mime = contentType.split(';')[0]!.trim().toLowerCase();
  const ext = EXTENSIONS.find(([re]) => re.test(mime))?.[1] ?? 'bin';
  return `appel-${fetchId}-reponse.${ext}`;
}

interface PanelProps {
  id: string;
  fetch: AuditFetch;
  onClose: () => void;
}

/** The call and its response body; takes the focus when opened. */
export function FetchBodyPanel({ id, fetch, onClose }: PanelProps) {
  const { t, formatDate } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  const [state, retry] = useLoad(String(fetch.fetch_id), (signal) => auditFetchBody(fetch.fetch_id, signal));
  useEffect(() => heading.current?.focus(), []);
  return (
    <section id={id} className="card body-panel" aria-labelledby={`${id}-title`}>
      <div className="section-head">
        <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>
          {t('fetches.bodyTitle', { id: fetch.fetch_id })}
        </h2>
        <button type="button" className="button" onClick={onClose}>
          {t('fetches.close')}
        </button>
      </div>
      <dl className="details">
        <div><dt>{t('audit.endpoint')}</dt><dd><FetchRequest fetch={fetch} /></dd></div>
        <div><dt>{t('audit.startedAt')}</dt><dd>{formatDate(fetch.started_at)}</dd></div>
        <div><dt>{t('audit.httpStatus')}</dt><dd>{fetch.status ?? t('fetches.noStatus')}</dd></div>
        <div><dt>SHA-256</dt><dd className="mono">{fetch.response_sha256 ?? t('value.none')}</dd></div>
      </dl>
      <LoadView state={state} retry={retry} notFound={<p className="muted">{t('fetches.noBody')}</p>}>
        {(body) => <BodyText body={body} fetchId={fetch.fetch_id} />}
      </LoadView>
    </section>
  );
}

function BodyText({ body, fetchId }: { body: FetchBody; fetchId: number }) {
  const { t, formatNumber } = useI18n();
  const { text, utf8, cut } = useMemo(() => decodeBody(body.bytes), [body]);
  const download = () => saveFile(new Blob([body.bytes], { type: body.contentType }), bodyFilename(fetchId, body.contentType));
  return (
    <>
      <dl className="details">
        <div><dt>{t('fetches.contentType')}</dt><dd className="mono">{body.contentType}</dd></div>
        <div><dt>{t('fetches.size')}</dt><dd>{t('fetches.bytes', { count: formatNumber(body.bytes.byteLength) })}</dd></div>
      </dl>
      {!utf8 && <p className="notice">{t('fetches.notUtf8')}</p>}
      {cut && <p className="notice">{t('fetches.truncated', { count: formatNumber(MAX_SHOWN) })}</p>}
      <pre className="raw" tabIndex={0} aria-label={t('fetches.body')}>
        {text}
      </pre>
      <p>
        <button type="button" className="button" onClick={download}>
          {t('fetches.download')}
        </button>
      </p>
    </>
  );
}
