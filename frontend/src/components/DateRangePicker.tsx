import { useEffect, useId, useState } from 'react';
import { useDateRange } from '../dateRange';
import { isDay, PRESETS, type PresetId } from '../dates';
import { useI18n } from '../i18n/I18nProvider';

/** Presets (computed in Europe/Paris) or two days; applies a custom range once it is valid. */
export function DateRangePicker() {
  const { t } = useI18n();
  const id = useId();
  const { range, setPreset, setCustom } = useDateRange();
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  useEffect(() => {
    setFrom(range.from);
    setTo(range.to);
  }, [range.from, range.to]);

  const invalid = isDay(from) && isDay(to) && from > to;

  function edit(nextFrom: string, nextTo: string) {
    setFrom(nextFrom);
    setTo(nextTo);
    if (isDay(nextFrom) && isDay(nextTo) && nextFrom <= nextTo) setCustom({ from: nextFrom, to: nextTo });
  }

  return (
    <fieldset className="date-range">
      <legend>{t('range.legend')}</legend>
      <div className="field">
        <label htmlFor={`${id}-preset`}>{t('range.preset')}</label>
        <select
          id={`${id}-preset`}
          value={range.preset}
          onChange={(e) => {
            if (e.target.value !== 'custom') setPreset(e.target.value as PresetId);
          }}
        >
          {PRESETS.map((p) => (
            <option key={p} value={p}>
              {t(`range.${p}`)}
            </option>
          ))}
          <option value="custom">{t('range.custom')}</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-from`}>{t('range.from')}</label>
        <input id={`${id}-from`} type="date" value={from} max={to || undefined} onChange={(e) => edit(e.target.value, to)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>{t('range.to')}</label>
        <input id={`${id}-to`} type="date" value={to} min={from || undefined} onChange={(e) => edit(from, e.target.value)} />
      </div>
      {invalid && (
        <p className="field-error" role="alert">
          {t('range.invalid')}
        </p>
      )}
    </fieldset>
  );
}
