import type { Driver } from './api/client';
import type { Provider } from './api/types';
import { fr, type MessageKey } from './i18n/dictionary';
import type { I18n } from './i18n/I18nProvider';

export function driverName(driver: Pick<Driver, 'first_name' | 'last_name'>): string {
  return [driver.first_name, driver.last_name]
    .map((part) => part?.trim())
    .filter(Boolean)
    .join(' ');
}

/** Known statuses are translated; anything else is shown as the API sent it. */
export function statusLabel(t: I18n['t'], status: string | null | undefined): string {
  if (!status) return t('value.none');
  const key = `status.${status.trim().toLowerCase()}`;
  return key in fr ? t(key as MessageKey) : status;
}

/** A CSS modifier for the status badge. */
export function statusTone(status: string | null | undefined): 'ok' | 'warn' | 'off' | 'neutral' {
  switch (status?.trim().toLowerCase()) {
    case 'active':
    case 'driver_status_online':
    case 'driver_status_ontrip':
    case 'driver_status_on_trip':
      return 'ok';
    case 'pending':
    case 'onboarding':
      return 'warn';
    case 'inactive':
    case 'suspended':
    case 'blocked':
    case 'archived':
    case 'deleted':
    case 'deactivated':
    case 'driver_status_offline':
      return 'off';
    default:
      return 'neutral';
  }
}

export function providerLabel(provider: string): string {
  switch (provider.toLowerCase()) {
    case 'uber':
      return 'Uber';
    case 'bolt':
      return 'Bolt';
    case 'legacy':
      // `fleet import legacy`: the original implementation's history (docs/MIGRATING.md).
      return 'Ancienne application';
    default:
      return provider;
  }
}

/**
 * The statuses offered by the filter, per platform, exactly as the API stores them (it
 * compares them as sent): Uber's realtime status, Bolt's driver record state.
 */
export const DRIVER_STATUSES = {
  uber: ['DRIVER_STATUS_ONLINE', 'DRIVER_STATUS_ONTRIP', 'DRIVER_STATUS_OFFLINE'],
  bolt: ['active', 'suspended', 'deactivated'],
} as const satisfies Record<Provider, readonly string[]>;
