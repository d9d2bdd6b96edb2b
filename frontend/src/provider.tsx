// The provider switch (Uber / Bolt / Tous), remembered in localStorage like the language.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { Provider } from './api/types';

export type ProviderChoice = Provider | 'all';
export const PROVIDER_CHOICES: readonly ProviderChoice[] = ['uber', 'bolt', 'all'];
export const PROVIDER_STORAGE_KEY = 'fm.provider';
export const DEFAULT_PROVIDER: ProviderChoice = 'uber';

export function isProviderChoice(value: unknown): value is ProviderChoice {
  return typeof value === 'string' && (PROVIDER_CHOICES as readonly string[]).includes(value);
}

export function storedProvider(): ProviderChoice {
  try {
    const value = window.localStorage.getItem(PROVIDER_STORAGE_KEY);
    return isProviderChoice(value) ? value : DEFAULT_PROVIDER;
  } catch {
    return DEFAULT_PROVIDER;
  }
}

export function storeProvider(choice: ProviderChoice): void {
  try {
    window.localStorage.setItem(PROVIDER_STORAGE_KEY, choice);
  } catch {
    // Storage unavailable: the choice lasts for this page only.
  }
}

/** The providers a choice covers, in display order. */
export function providersOf(choice: ProviderChoice): Provider[] {
  return choice === 'all' ? ['uber', 'bolt'] : [choice];
}

interface ProviderState {
  provider: ProviderChoice;
  setProvider: (choice: ProviderChoice) => void;
}

const ProviderContext = createContext<ProviderState | null>(null);

export function ProviderProvider({ children }: { children: ReactNode }) {
  const [provider, setState] = useState<ProviderChoice>(storedProvider);
  const setProvider = useCallback((choice: ProviderChoice) => {
    storeProvider(choice);
    setState(choice);
  }, []);
  const value = useMemo(() => ({ provider, setProvider }), [provider, setProvider]);
  return <ProviderContext.Provider value={value}>{children}</ProviderContext.Provider>;
}

export function useProvider(): ProviderState {
  const value = useContext(ProviderContext);
  if (!value) throw new Error('useProvider must be used inside <ProviderProvider>');
  return value;
}
