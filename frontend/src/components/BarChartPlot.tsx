// The plot of a BarChart, drawn by Recharts: axes, a tooltip per day, a legend, and its
// keyboard layer (Tab to the chart, then the arrow keys move the tooltip from day to day).
// Loaded on its own (React.lazy in BarChart.tsx): Recharts is most of the app's weight, and
// only the pages with a chart need it.
import {
  Bar,
  CartesianGrid,
  Legend,
  BarChart as RechartsBarChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useI18n } from '../i18n/I18nProvider';
import { PLOT_HEIGHT, type BarChartProps, type Series } from './BarChart';

/** The colours of styles.css (--primary, the secondary orange): SVG attributes take no var(). */
const TONES: Record<Series['tone'], string> = { primary: '#0b4f9c', secondary: '#e08a00' };

/** One row per day, as Recharts reads them: the label, then each series' value by index. */
function rowsOf(labels: string[], series: Series[]) {
  return labels.map((label, i) => Object.fromEntries([['label', label], ...series.map((s, k) => [`s${k}`, s.values[i] ?? null])]));
}

/** `summary` becomes the SVG's description (read after its title, the chart's). */
export default function BarChartPlot({ title, labels, series, format, summary }: BarChartProps & { summary: string }) {
  const { t } = useI18n();
  return (
    <ResponsiveContainer width="100%" height={PLOT_HEIGHT} initialDimension={{ width: 640, height: PLOT_HEIGHT }}>
      <RechartsBarChart data={rowsOf(labels, series)} title={title} desc={summary} margin={{ top: 8, right: 8, left: 8, bottom: 0 }}>
        <CartesianGrid vertical={false} stroke="#d5d9e0" />
        <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={8} />
        <YAxis tickFormatter={(v: number) => format(v)} tick={{ fontSize: 11 }} width={84} />
        <Tooltip formatter={(value) => (typeof value === 'number' ? format(value) : t('value.none'))} />
        <Legend content={<SeriesLegend series={series} />} />
        {series.map((s, k) => (
          <Bar
            key={s.name}
            dataKey={`s${k}`}
            name={s.name}
            fill={TONES[s.tone]}
            stackId={series.length > 1 ? 'days' : undefined}
            className="chart-bar"
            isAnimationActive={false}
          />
        ))}
      </RechartsBarChart>
    </ResponsiveContainer>
  );
}

/** The series' names and colours; Recharts' own legend labels its swatches in English. */
function SeriesLegend({ series }: { series: Series[] }) {
  return (
    <ul className="chart-legend">
      {series.map((s) => (
        <li key={s.name}>
          <span className="chart-swatch" style={{ background: TONES[s.tone] }} aria-hidden="true" /> {s.name}
        </li>
      ))}
    </ul>
  );
}
