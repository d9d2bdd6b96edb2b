import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { I18nProvider } from '../i18n/I18nProvider';
import { BarChart, type Series } from './BarChart';

/** Text with French spaces (narrow no-break ones included) as plain spaces. */
const plain = (text: string | null | undefined) => (text ?? '').replace(/\s/g, ' ');

const euros = (minor: number) =>
  new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(minor / 100);

const SERIES: Series[] = [
  { name: 'In-app', values: [7500, 0, null], tone: 'primary' },
  { name: 'Espèces', values: [2500, 1000, null], tone: 'secondary' },
];

/** The chart, once its plot (a chunk of its own) has loaded. */
async function renderChart() {
  render(
    <I18nProvider>
      <BarChart title="Revenus par jour" labels={['01/03', '02/03', '03/03']} series={SERIES} format={euros} />
    </I18nProvider>,
  );
  const figure = screen.getByRole('figure', { name: 'Revenus par jour' });
  // the first import of Recharts in a test run takes seconds on a busy machine
  await waitFor(() => expect(figure.querySelector('svg.recharts-surface')).not.toBeNull(), { timeout: 15_000 });
  return figure;
}

describe('bar chart', () => {
  it('stacks a bar per series and day with a value, counting the days with data', async () => {
    const figure = await renderChart();
    expect(figure.getAttribute('data-points')).toBe('2');
    expect(figure.querySelectorAll('.chart-bar .recharts-rectangle')).toHaveLength(3); // 0 and null draw nothing
  });

  it('has day and euro axes and a French legend', async () => {
    const figure = await renderChart();
    const ticks = [...figure.querySelectorAll('.recharts-cartesian-axis-tick-value')].map((t) => plain(t.textContent));
    expect(ticks).toEqual(expect.arrayContaining(['01/03', '02/03', '03/03', '0,00 €', '100,00 €']));
    expect(within(figure).getAllByRole('listitem').map((li) => li.textContent?.trim())).toEqual(['In-app', 'Espèces']);
  });

  it('names the chart and sums it up for screen readers, and shows the numbers as a table', async () => {
    const figure = await renderChart();
    const svg = figure.querySelector('svg.recharts-surface')!;
    expect(svg.querySelector('title')?.textContent).toBe('Revenus par jour');
    expect(plain(svg.querySelector('desc')?.textContent)).toBe('max. 100,00 €');
    const rows = within(figure).getAllByRole('row').map((row) => plain(row.textContent));
    expect(rows).toEqual(['JourIn-appEspèces', '01/0375,00 €25,00 €', '02/030,00 €10,00 €', '03/03——']);
  });

  it('shows the first day in its tooltip when focused, then moves day by day with the arrow keys', async () => {
    const figure = await renderChart();
    const surface = figure.querySelector<SVGElement>('[tabindex="0"]')!;
    const tooltip = () => plain(figure.querySelector('.recharts-tooltip-wrapper')?.textContent);
    act(() => surface.focus());
    expect(tooltip()).toBe('01/03Espèces : 25,00 €In-app : 75,00 €');
    fireEvent.keyDown(surface, { key: 'ArrowRight' });
    expect(tooltip()).toBe('02/03Espèces : 10,00 €In-app : 0,00 €');
  });
});
