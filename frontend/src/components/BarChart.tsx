// Bars per day (stacked when there are several series): a figure with its title, the plot
// (BarChartPlot.tsx, Recharts, loaded when a page first shows a chart), and the same numbers
// as a table under "Voir les données" for screen readers and small screens. Screen readers
// also get the chart's title and a one-line summary on the plot itself.
import { lazy, Suspense, useId } from 'react';
import { useI18n } from '../i18n/I18nProvider';

export interface Series {
  name: string;
  /** One value per label; null or missing = no data that day. */
  values: (number | null)[];
  tone: 'primary' | 'secondary';
}

export interface BarChartProps {
  title: string;
  labels: string[];
  series: Series[];
  format: (value: number) => string;
}

export const PLOT_HEIGHT = 224;

const BarChartPlot = lazy(() => import('./BarChartPlot'));

/** Max of the stacked totals, at least 1 so an all-zero chart still draws. */
export function stackedMax(series: Series[], count: number): number {
  let max = 0;
  for (let i = 0; i < count; i += 1) {
    max = Math.max(max, series.reduce((sum, s) => sum + Math.max(0, s.values[i] ?? 0), 0));
  }
  return max || 1;
}

export function BarChart(props: BarChartProps) {
  const { t } = useI18n();
  const id = useId();
  const { title, labels, series, format } = props;
  const withData = labels.filter((_, i) => series.some((s) => s.values[i] != null)).length;
  const summary = t('chart.max', { value: format(stackedMax(series, labels.length)) });
  return (
    <figure className="chart" aria-labelledby={`${id}-title`} data-points={withData}>
      <figcaption id={`${id}-title`} className="chart-title">
        {title}
      </figcaption>
      {/* The plot's room is kept while it loads, so the page does not jump. */}
      <Suspense fallback={<div style={{ height: PLOT_HEIGHT }} />}>
        <BarChartPlot {...props} summary={summary} />
      </Suspense>
      <ChartData {...props} />
    </figure>
  );
}

/** The chart's numbers as a table, folded under "Voir les données" (screen readers, small screens). */
function ChartData({ labels, series, format }: BarChartProps) {
  const { t } = useI18n();
  return (
    <details className="chart-data">
      <summary>{t('chart.data')}</summary>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('chart.day')}</th>
              {series.map((s) => (
                <th scope="col" key={s.name}>
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((label, i) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {series.map((s) => (
                  <td key={s.name}>{s.values[i] == null ? t('value.none') : format(s.values[i]!)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
