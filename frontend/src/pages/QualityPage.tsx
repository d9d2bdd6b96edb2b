// "Qualité des données": per week and platform, complete or not and why, and each resource's
// covered stretches and gaps on a timeline (GET /quality/weeks, docs/QUALITY.md); then the
// week's reconciliation and rides under the legal minimum (QualityChecks.tsx).
// Self-contained on purpose (its API calls and types here): it moves as one piece.
import { useId, useState } from 'react';
import { weekStatus } from '../api/client';
import type { components } from '../api/schema';
import { LoadView, PageHeading } from '../components/common';
import { useI18n } from '../i18n/I18nProvider';
import { useLoad } from '../hooks';
import { QualityChecks } from './QualityChecks';

type PlatformWeek = components['schemas']['PlatformWeek'];
type WeekResource = components['schemas']['WeekResource'];
type TimeSpan = components['schemas']['TimeSpan'];

const DAY_MS = 86400000;

/** The ISO week `steps` weeks after `week` ("2026-W10"), across year ends. */
export function shiftWeek(week: string, steps: number): string {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) return week;
  const jan4 = Date.UTC(Number(m[1]), 0, 4);
  const week1Monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
  // The Thursday of the target week names its ISO year; its week counts from that year's 1 January.
  const thursday = week1Monday + ((Number(m[2]) - 1 + steps) * 7 + 3) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const n = Math.floor((thursday - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return `${year}-W${String(n).padStart(2, '0')}`;
}

export function QualityPage() {
  const { t } = useI18n();
  const id = useId();
  const [week, setWeek] = useState<string | null>(null);
  const [status, retry] = useLoad(`quality:${week ?? ''}`, (signal) => weekStatus(week, signal));
  return (
    <section aria-labelledby={`${id}-title`}>
      <PageHeading id={`${id}-title`} title={t('quality.title')}>
        {t('quality.title')}
      </PageHeading>
      <p>{t('quality.intro')}</p>
      <LoadView state={status} retry={retry}>
        {(data) => (
          <>
            <div className="section-head" role="group" aria-label={t('quality.week')}>
              <button type="button" className="button button-quiet" onClick={() => setWeek(shiftWeek(data.week, -1))}>
                {t('quality.previous')}
              </button>
              <h2>{t('quality.weekOf', { week: data.week })}</h2>
              <button type="button" className="button button-quiet" onClick={() => setWeek(shiftWeek(data.week, 1))}>
                {t('quality.next')}
              </button>
            </div>
            {data.platforms.map((p) => (
              <Platform key={p.provider} week={p} />
            ))}
            <QualityChecks week={data.week} />
          </>
        )}
      </LoadView>
    </section>
  );
}

function Platform({ week }: { week: PlatformWeek }) {
  const { t, formatDate } = useI18n();
  const id = useId();
  const complete = week.status === 'complet';
  return (
    <section aria-labelledby={id} className="quality-platform">
      <h3 id={id}>
        {week.provider === 'uber' ? 'Uber' : 'Bolt'}{' '}
        <span className={`badge badge-${complete ? 'ok' : 'warn'}`}>
          {t(complete ? 'quality.complete' : 'quality.incomplete')}
        </span>
      </h3>
      <p>{t('quality.bounds', { start: formatDate(week.start), end: formatDate(week.end), settled: formatDate(week.settled_at) })}</p>
      {week.reasons.length > 0 && (
        <ul aria-label={t('quality.reasons')}>
          {week.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
      <table className="quality-timeline">
        <caption className="visually-hidden">{t('quality.timeline')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('quality.resource')}</th>
            <th scope="col">{t('quality.account')}</th>
            <th scope="col">{t('quality.coverage')}</th>
          </tr>
        </thead>
        <tbody>
          {week.resources.map((r) => (
            <tr key={`${r.resource}:${r.account_id}`}>
              <td>{r.resource}</td>
              <td className="mono">{r.account_id}</td>
              <td>
                <Timeline week={week} resource={r} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The week as a bar: covered stretches green, gaps red; the gaps also as text. */
function Timeline({ week, resource }: { week: PlatformWeek; resource: WeekResource }) {
  const { t, formatDate } = useI18n();
  const start = Date.parse(week.start);
  const length = Date.parse(week.end) - start;
  const place = (s: TimeSpan) => ({
    left: `${((Date.parse(s.start) - start) / length) * 100}%`,
    width: `${Math.max(((Date.parse(s.end) - Date.parse(s.start)) / length) * 100, 0.3)}%`,
  });
  const gaps = resource.gaps.map((g) => t('quality.gap', { start: formatDate(g.start), end: formatDate(g.end) }));
  return (
    <div>
      <div className="timeline" aria-hidden="true" style={{ position: 'relative', height: '0.75rem', background: 'var(--border, #ddd)' }}>
        {resource.covered.map((s) => (
          <span key={`c${s.start}`} title={formatDate(s.start)} style={{ position: 'absolute', top: 0, bottom: 0, background: '#2e7d32', ...place(s) }} />
        ))}
        {resource.gaps.map((s) => (
          <span key={`g${s.start}`} style={{ position: 'absolute', top: 0, bottom: 0, background: '#c62828', ...place(s) }} />
        ))}
      </div>
      <p className={gaps.length ? undefined : 'visually-hidden'}>{gaps.length ? gaps.join(' ; ') : t('quality.noGap')}</p>
    </div>
  );
}
