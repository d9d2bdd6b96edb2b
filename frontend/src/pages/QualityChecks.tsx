// The week's checks beside its coverage on "Qualité des données": the reconciliation's
// differences (GET /quality/reconciliation) and the rides paid under the legal minimum
// (GET /quality/minimum-fares, exportable as CSV), docs/QUALITY.md.
import { useId, type ReactNode } from 'react';
import { minimumFares, reconciliation, type MinimumFares, type Reconciliation } from '../api/client';
import type { CsvFile } from '../api/csv';
import { LoadView } from '../components/common';
import { ExportCsvButton } from '../components/ExportCsvButton';
import type { MessageKey } from '../i18n/dictionary';
import { useI18n } from '../i18n/I18nProvider';
import { useLoad } from '../hooks';

const PLATFORM: Record<string, string> = { uber: 'Uber', bolt: 'Bolt' };

export function QualityChecks({ week }: { week: string }) {
  const [differences, retryDifferences] = useLoad(`reconciliation:${week}`, (signal) => reconciliation(week, signal));
  const [fares, retryFares] = useLoad(`minimum-fares:${week}`, (signal) => minimumFares(week, signal));
  return (
    <>
      <LoadView state={differences} retry={retryDifferences}>
        {(data) => <Differences data={data} />}
      </LoadView>
      <LoadView state={fares} retry={retryFares}>
        {(data) => <UnderMinimum data={data} />}
      </LoadView>
    </>
  );
}

type CheckProps = {
  title: MessageKey;
  intro: MessageKey;
  empty: string | null; // shown instead of the table when nothing was found
  columns: MessageKey[];
  action?: ReactNode;
  children: ReactNode;
};

/** One check of the week: a heading, what it compares, then its findings as a table. */
function Check({ title, intro, empty, columns, action, children }: CheckProps) {
  const { t } = useI18n();
  const id = useId();
  return (
    <section aria-labelledby={id}>
      <div className="section-head">
        <h2 id={id}>{t(title)}</h2>
        {action}
      </div>
      <p>{t(intro)}</p>
      {empty !== null ? (
        <p>{empty}</p>
      ) : (
        <table>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c} scope="col">
                  {t(c)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{children}</tbody>
        </table>
      )}
    </section>
  );
}

function Who({ provider, id, name }: { provider: string; id: string; name: string | null }) {
  return (
    <td>
      {PLATFORM[provider] ?? provider} · {name ?? <span className="mono">{id}</span>}
    </td>
  );
}

function Differences({ data }: { data: Reconciliation }) {
  const { t, formatMoney } = useI18n();
  const empty = data.differences.length ? null : t('quality.noDifference', { drivers: data.drivers });
  const columns: MessageKey[] = ['quality.driver', 'quality.check', 'quality.left', 'quality.right', 'quality.delta', 'quality.reason'];
  return (
    <Check title="quality.reconciliation" intro="quality.reconciliationIntro" empty={empty} columns={columns}>
      {data.differences.map((d) => (
        <tr key={`${d.provider}:${d.driver_id}:${d.check}:${d.reference ?? ''}`}>
          <Who provider={d.provider} id={d.driver_id} name={d.driver_name} />
          <td>
            {d.check}
            {d.reference && <span className="mono"> {d.reference}</span>}
          </td>
          <td>{`${d.left} : ${formatMoney(d.left_minor)}`}</td>
          <td>{`${d.right} : ${formatMoney(d.right_minor)}`}</td>
          <td>{formatMoney(d.delta_minor)}</td>
          <td>{d.reason}</td>
        </tr>
      ))}
    </Check>
  );
}

function UnderMinimum({ data }: { data: MinimumFares }) {
  const { t, formatMoney, formatDate } = useI18n();
  const file: CsvFile = { path: '/quality/minimum-fares', query: { week: data.week }, filename: `minimums-${data.week}.csv` };
  const empty = data.under.length ? null : t('quality.noUnder', { rides: data.rides });
  const columns: MessageKey[] = ['quality.driver', 'quality.ride', 'quality.at', 'quality.net', 'quality.minimumDue', 'quality.shortfall', 'quality.floor'];
  return (
    <Check title="quality.minimum" intro="quality.minimumIntro" empty={empty} columns={columns} action={<ExportCsvButton files={[file]} />}>
      {data.under.map((r) => (
        <tr key={`${r.provider}:${r.ride_id}`}>
          <Who provider={r.provider} id={r.driver_id} name={r.driver_name} />
          <td className="mono">{r.ride_id}</td>
          <td>{formatDate(r.at)}</td>
          <td>{formatMoney(r.net_minor)}</td>
          <td>{formatMoney(r.minimum_minor)}</td>
          <td>{formatMoney(r.shortfall_minor)}</td>
          <td>{r.floor}</td>
        </tr>
      ))}
    </Check>
  );
}
