// What the people pages share: an identity's name and platform, a decision's error in words.
import { ApiError, type PersonIdentity, type Provider } from './api/client';
import { errorMessage } from './components/common';
import { driverName, providerLabel } from './drivers';
import type { I18n } from './i18n/I18nProvider';

/** "Laurent Dupont", or the platform's id when the driver has no name. */
export function identityName(identity: PersonIdentity): string {
  return driverName(identity) || identity.driver_id;
}

/** "Laurent Dupont (Uber)": how an identity is named in labels and messages. */
export function identityLabel(identity: PersonIdentity): string {
  return `${identityName(identity)} (${providerLabel(identity.provider)})`;
}

export function providerOf(identity: Pick<PersonIdentity, 'provider'>): Provider {
  return identity.provider === 'bolt' ? 'bolt' : 'uber';
}

/** The platforms of some identities, each once, Uber first. */
export function platformsOf(identities: Pick<PersonIdentity, 'provider'>[]): string[] {
  return [...new Set(identities.map((i) => i.provider))].sort((a, b) => providerLabel(b).localeCompare(providerLabel(a)));
}

/** The first of the identities' values that is set (a person's phone, e-mail…). */
export function firstOf(identities: PersonIdentity[], pick: (i: PersonIdentity) => string | null): string | null {
  return identities.map(pick).find(Boolean) ?? null;
}

/**
 * A refused decision in the manager's words: a 409 names the person who already owns the
 * driver (the problem's `errors`); anything else as errorMessage says it.
 */
export function decisionError(t: I18n['t'], error: unknown): string {
  if (error instanceof ApiError && error.status === 409) {
    const owner = error.errors.find((e) => typeof e.display_name === 'string')?.display_name as string | undefined;
    return owner ? t('people.conflict', { name: owner }) : t('people.conflictUnknown');
  }
  return errorMessage(t, error);
}
