import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { formatDay } from '../dates';
import { formatDateTime, formatHours, formatMoney, formatNumber } from '../format';
import {
  LOCALES,
  storedLang,
  storeLang,
  translate,
  type Lang,
  type MessageKey,
  type Params,
} from './dictionary';

export interface I18n {
  lang: Lang;
  locale: string;
  setLang: (lang: Lang) => void;
  t: (key: MessageKey, params?: Params) => string;
  formatDate: (iso: string | null | undefined) => string;
  formatNumber: (value: number) => string;
  /** Minor units as money, e.g. 123456 → '1 234,56 €'. */
  formatMoney: (minor: number | null | undefined, currency?: string) => string;
  formatHours: (hours: number | null | undefined) => string;
  /** A 'YYYY-MM-DD' day, e.g. '31/03/2024' or '31/03' without the year. */
  formatDay: (day: string, withYear?: boolean) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children, initialLang }: { children: ReactNode; initialLang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(() => initialLang ?? storedLang());

  const setLang = useCallback((next: Lang) => {
    storeLang(next);
    setLangState(next);
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const value = useMemo<I18n>(() => {
    const locale = LOCALES[lang];
    return {
      lang,
      locale,
      setLang,
      t: (key, params) => translate(lang, key, params),
      formatDate: (iso) => formatDateTime(iso, locale, translate(lang, 'value.none')),
      formatNumber: (n) => formatNumber(n, locale),
      formatMoney: (minor, currency = 'EUR') => formatMoney(minor, currency, locale, translate(lang, 'value.none')),
      formatHours: (hours) => formatHours(hours, locale, translate(lang, 'value.none')),
      formatDay: (day, withYear = true) => formatDay(day, locale, withYear),
    };
  }, [lang, setLang]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n must be used inside <I18nProvider>');
  return value;
}
