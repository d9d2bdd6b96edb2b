import { act, fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ProviderSwitch } from './components/ProviderSwitch';
import { I18nProvider } from './i18n/I18nProvider';
import { PROVIDER_STORAGE_KEY, ProviderProvider, providersOf, storedProvider, useProvider } from './provider';

function Shown() {
  return <output>{useProvider().provider}</output>;
}

function renderSwitch() {
  return render(
    <I18nProvider>
      <ProviderProvider>
        <ProviderSwitch />
        <Shown />
      </ProviderProvider>
    </I18nProvider>,
  );
}

describe('provider switch', () => {
  it('defaults to Uber and remembers the choice in localStorage across mounts', () => {
    const first = renderSwitch();
    expect(screen.getByRole('button', { name: 'Uber' }).getAttribute('aria-pressed')).toBe('true');
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Tous' })));
    expect(window.localStorage.getItem(PROVIDER_STORAGE_KEY)).toBe('all');
    first.unmount();

    renderSwitch();
    expect(screen.getByRole('button', { name: 'Tous' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByText('all')).toBeTruthy();
  });

  it('ignores an unknown stored value', () => {
    window.localStorage.setItem(PROVIDER_STORAGE_KEY, 'heetch');
    expect(storedProvider()).toBe('uber');
  });

  it('"Tous" covers both providers', () => {
    expect(providersOf('all')).toEqual(['uber', 'bolt']);
    expect(providersOf('bolt')).toEqual(['bolt']);
  });
});
