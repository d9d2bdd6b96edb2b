// A small SVG bar chart (stacked when there are several series): enough for a few weeks
// of daily values, with no chart library. The figure has a text alternative (the same
// numbers in a table under "Voir les données") for screen readers and small screens.
import { useId } from 'react';
import { useI18n } from '../i18n/I18nProvider';

export interface Series {
  name: string;
  /** One value per label; null or missing = no data that day. */
  values: (number | null)[];
  tone: 'primary' | 'secondary';
}

interface Props {
  title: string;
  labels: string[];
  series: Series[];
  format: (value: number) => string;
}

const W = 640;
const H = 220;
const PAD = { top: 12, right: 8, bottom: 28, left: 8 };

/** Max of the stacked totals, at least 1 so an all-zero chart still draws. */
export function stackedMax(series: Series[], count: number): number {
  let max = 0;
  for (let i = 0; i < count; i += 1) {
    max = Math.max(max, series.reduce((sum, s) => sum + Math.max(0, s.values[i] ?? 0), 0));
  }
  return max || 1;
}

export function BarChart({ title, labels, series, format }: Props) {
  const { t } = useI18n();
  const id = useId();
  const max = stackedMax(series, labels.length);
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(labels.length, 1);
  const barW = Math.max(1, slot * 0.7);
  const every = Math.ceil(labels.length / 8); // at most ~8 x labels
  const withData = labels.filter((_, i) => series.some((s) => s.values[i] != null)).length;

  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} className="chart-title">
        {title} <span className="muted">({t('chart.max', { value: format(max) })})</span>
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby={`${id}-title`}
        data-points={withData}
        preserveAspectRatio="none"
        className="chart-svg"
      >
        <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} className="chart-axis" />
        {labels.map((label, i) => {
          let base = H - PAD.bottom;
          const x = PAD.left + i * slot + (slot - barW) / 2;
          return (
            <g key={label}>
              {series.map((s) => {
                const value = Math.max(0, s.values[i] ?? 0);
                const h = (value / max) * innerH;
                base -= h;
                return value > 0 ? (
                  <rect key={s.name} x={x} y={base} width={barW} height={h} className={`chart-bar chart-${s.tone}`}>
                    <title>{`${label} — ${s.name} : ${format(value)}`}</title>
                  </rect>
                ) : null;
              })}
              {i % every === 0 && (
                <text x={x + barW / 2} y={H - 8} textAnchor="middle" className="chart-label">
                  {label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      {series.length > 1 && (
        <ul className="chart-legend">
          {series.map((s) => (
            <li key={s.name}>
              <span className={`chart-swatch chart-${s.tone}`} aria-hidden="true" /> {s.name}
            </li>
          ))}
        </ul>
      )}
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
    </figure>
  );
}
