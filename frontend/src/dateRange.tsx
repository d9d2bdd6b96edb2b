// The date range shared by the pages (kept while moving between them, not across reloads).
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { presetRange, type DayRange, type PresetId } from './dates';

export type RangeChoice = DayRange & { preset: PresetId | 'custom' };
export const DEFAULT_PRESET: PresetId = 'last30';

interface DateRangeState {
  range: RangeChoice;
  setPreset: (preset: PresetId) => void;
  setCustom: (range: DayRange) => void;
}

const DateRangeContext = createContext<DateRangeState | null>(null);

export function DateRangeProvider({ children, now }: { children: ReactNode; now?: () => Date }) {
  const clock = useMemo(() => now ?? (() => new Date()), [now]);
  const [range, setRange] = useState<RangeChoice>(() => ({
    preset: DEFAULT_PRESET,
    ...presetRange(DEFAULT_PRESET, clock()),
  }));
  const setPreset = useCallback((preset: PresetId) => setRange({ preset, ...presetRange(preset, clock()) }), [clock]);
  const setCustom = useCallback((r: DayRange) => setRange({ preset: 'custom', ...r }), []);
  const value = useMemo(() => ({ range, setPreset, setCustom }), [range, setPreset, setCustom]);
  return <DateRangeContext.Provider value={value}>{children}</DateRangeContext.Provider>;
}

export function useDateRange(): DateRangeState {
  const value = useContext(DateRangeContext);
  if (!value) throw new Error('useDateRange must be used inside <DateRangeProvider>');
  return value;
}
