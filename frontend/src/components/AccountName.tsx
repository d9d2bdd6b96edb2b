// Provider accounts and vehicles by their names, never their raw ids (the id stays in `title`).
import type { Provider } from '../api/client';
import { useI18n } from '../i18n/I18nProvider';
import { accountNames, useLookup, vehicle, vehicleLabel } from '../lookups';

function asProvider(provider: string): Provider {
  return provider === 'bolt' ? 'bolt' : 'uber';
}

/** An Uber organisation or a Bolt company by its name. */
export function AccountName({ provider, accountId }: { provider: string; accountId: string }) {
  const { t } = useI18n();
  const p = asProvider(provider);
  const names = useLookup(`accounts|${p}`, () => accountNames(p));
  const name = names ? (names.get(accountId) ?? t('account.unnamed')) : '…';
  return <span title={accountId}>{name}</span>;
}

/** A vehicle as its plate and model. */
export function VehicleName({ provider, vehicleId }: { provider: string; vehicleId: string }) {
  const { t } = useI18n();
  const p = asProvider(provider);
  const found = useLookup(`vehicle|${p}|${vehicleId}`, () => vehicle(p, vehicleId));
  const name = found ? vehicleLabel(found) || t('vehicle.unknown') : '…';
  return <span title={vehicleId}>{name}</span>;
}
