// Names for the ids the API returns: provider accounts (Uber organisations, Bolt companies)
// and vehicles (plate and model). Each answer is fetched once per session and shared by
// every page that shows it; a failed fetch is forgotten so the next page asks again.
import { useEffect, useState } from 'react';
import { boltCompanies, getVehicle, uberOrgs, type Provider, type Vehicle } from './api/client';

const cache = new Map<string, Promise<unknown>>();

function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  let found = cache.get(key) as Promise<T> | undefined;
  if (!found) {
    found = load();
    cache.set(key, found);
    found.catch(() => cache.delete(key));
  }
  return found;
}

/** Forget every name (on logout: the next user may be of another fleet). */
export function resetLookups(): void {
  cache.clear();
}

/** The names of a provider's accounts, by account id (a Bolt account id is its company id). */
export function accountNames(provider: Provider): Promise<Map<string, string>> {
  return cached(`accounts|${provider}`, async () => {
    if (provider === 'bolt') {
      const { items } = await boltCompanies();
      return new Map(items.flatMap((c) => (c.name ? [[String(c.company_id), c.name] as const] : [])));
    }
    const { items } = await uberOrgs();
    return new Map(items.flatMap((o) => (o.name ? [[o.account_id, o.name] as const] : [])));
  });
}

export function vehicle(provider: Provider, vehicleId: string): Promise<Vehicle> {
  return cached(`vehicle|${provider}|${vehicleId}`, () => getVehicle(vehicleId, provider));
}

/** `load`'s answer once it has come (undefined before, and after a failure). */
export function useLookup<T>(key: string, load: () => Promise<T>): T | undefined {
  const [value, setValue] = useState<{ key: string; value: T } | null>(null);
  useEffect(() => {
    let live = true;
    load().then(
      (v) => live && setValue({ key, value: v }),
      () => undefined, // shown as unknown; the ids stay in the page's title attributes
    );
    return () => {
      live = false;
    };
    // `key` names what `load` loads: a new `load` of the same key is the same lookup.
  }, [key]);
  return value?.key === key ? value.value : undefined;
}

/** "AB-123-CD · Toyota Prius": a vehicle as managers know it. */
export function vehicleLabel(v: Pick<Vehicle, 'plate' | 'make' | 'model'>): string {
  const model = [v.make, v.model].filter(Boolean).join(' ');
  return [v.plate, model].filter(Boolean).join(' · ');
}
