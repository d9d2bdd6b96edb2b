// Message dictionaries. French is the default and the reference: every key
// exists in `fr`; other languages may miss keys and then fall back to French.

export const fr = {
  'app.name': 'Fleet Manager — AA DENIS MOBILITÉS',
  'app.skipToContent': 'Aller au contenu',
  'app.loading': 'Chargement…',
  'app.notFound.title': 'Page introuvable',
  'app.notFound.body': 'Cette page n’existe pas.',
  'app.notFound.back': 'Retour à la liste des chauffeurs',
  'app.startError': 'Impossible de charger votre session.',

  'header.signedInAs': 'Connecté en tant que',
  'header.logout': 'Se déconnecter',
  'header.language': 'Langue',

  'lang.fr': 'Français',
  'lang.en': 'English',

  'offline.banner': 'Hors ligne — les données seront actualisées au retour de la connexion',

  'login.title': 'Connexion',
  'login.intro': 'Connectez-vous pour accéder au tableau de bord de la flotte.',
  'login.email': 'Adresse e-mail',
  'login.password': 'Mot de passe',
  'login.submit': 'Se connecter',
  'login.submitting': 'Connexion…',
  'login.invalid': 'Identifiants invalides',
  'login.expired': 'Votre session a expiré, veuillez vous reconnecter.',
  'login.failed': 'La connexion a échoué ({detail}).',
  'login.required': 'Saisissez votre adresse e-mail et votre mot de passe.',

  'error.network': 'Impossible de joindre le serveur. Vérifiez votre connexion.',
  'error.generic': 'Une erreur est survenue : {detail}',
  'error.forbidden': 'Vous n’avez pas les droits nécessaires pour voir ces données.',
  'error.retry': 'Réessayer',

  'drivers.title': 'Chauffeurs',
  'drivers.search': 'Rechercher un chauffeur',
  'drivers.searchPlaceholder': 'Nom, téléphone, e-mail…',
  'drivers.caption': 'Liste des chauffeurs, page {page}',
  'drivers.col.name': 'Nom',
  'drivers.col.phone': 'Téléphone',
  'drivers.col.email': 'E-mail',
  'drivers.col.status': 'Statut',
  'drivers.col.updated': 'Mis à jour',
  'drivers.empty': 'Aucun chauffeur',
  'drivers.emptySearch': 'Aucun résultat pour « {q} ».',
  'drivers.count': '{count} chauffeurs sur cette page',
  'drivers.count.one': '1 chauffeur sur cette page',
  'drivers.pagination': 'Pagination',
  'drivers.previous': 'Précédent',
  'drivers.next': 'Suivant',
  'drivers.page': 'Page {page}',
  'drivers.open': 'Voir la fiche de {name}',

  'driver.title': 'Fiche chauffeur',
  'driver.back': 'Retour',
  'driver.notFound': 'Chauffeur introuvable',
  'driver.notFoundBody': 'Aucun chauffeur ne correspond à cet identifiant.',
  'driver.firstName': 'Prénom',
  'driver.lastName': 'Nom',
  'driver.email': 'E-mail',
  'driver.phone': 'Téléphone',
  'driver.status': 'Statut',
  'driver.provider': 'Plateforme',
  'driver.accountId': 'Compte plateforme',
  'driver.driverId': 'Identifiant chauffeur',
  'driver.vehicles': 'Véhicules',
  'driver.noVehicles': 'Aucun véhicule',
  'driver.updated': 'Mis à jour',
  'driver.unnamed': 'Chauffeur sans nom',

  'status.active': 'Actif',
  'status.inactive': 'Inactif',
  'status.suspended': 'Suspendu',
  'status.blocked': 'Bloqué',
  'status.pending': 'En attente',
  'status.onboarding': 'En cours d’inscription',
  'status.archived': 'Archivé',
  'status.deleted': 'Supprimé',
  'status.unknown': 'Inconnu',

  'value.none': '—',
} as const;

export type MessageKey = keyof typeof fr;
export type Messages = Partial<Record<MessageKey, string>>;

export const en: Messages = {
  'app.skipToContent': 'Skip to content',
  'app.loading': 'Loading…',
  'app.notFound.title': 'Page not found',
  'app.notFound.body': 'This page does not exist.',
  'app.notFound.back': 'Back to the driver list',
  'app.startError': 'Could not load your session.',

  'header.signedInAs': 'Signed in as',
  'header.logout': 'Sign out',
  'header.language': 'Language',

  'offline.banner': 'Offline — data will refresh when the connection is back',

  'login.title': 'Sign in',
  'login.intro': 'Sign in to access the fleet dashboard.',
  'login.email': 'Email address',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.submitting': 'Signing in…',
  'login.invalid': 'Invalid credentials',
  'login.expired': 'Your session has expired, please sign in again.',
  'login.failed': 'Sign-in failed ({detail}).',
  'login.required': 'Enter your email address and password.',

  'error.network': 'Cannot reach the server. Check your connection.',
  'error.generic': 'Something went wrong: {detail}',
  'error.forbidden': 'You are not allowed to see this data.',
  'error.retry': 'Retry',

  'drivers.title': 'Drivers',
  'drivers.search': 'Search drivers',
  'drivers.searchPlaceholder': 'Name, phone, email…',
  'drivers.caption': 'Driver list, page {page}',
  'drivers.col.name': 'Name',
  'drivers.col.phone': 'Phone',
  'drivers.col.email': 'Email',
  'drivers.col.status': 'Status',
  'drivers.col.updated': 'Updated',
  'drivers.empty': 'No drivers',
  'drivers.emptySearch': 'No results for “{q}”.',
  'drivers.count': '{count} drivers on this page',
  'drivers.count.one': '1 driver on this page',
  'drivers.pagination': 'Pagination',
  'drivers.previous': 'Previous',
  'drivers.next': 'Next',
  'drivers.page': 'Page {page}',
  'drivers.open': 'Open {name}',

  'driver.title': 'Driver',
  'driver.back': 'Back',
  'driver.notFound': 'Driver not found',
  'driver.notFoundBody': 'No driver has this identifier.',
  'driver.firstName': 'First name',
  'driver.lastName': 'Last name',
  'driver.email': 'Email',
  'driver.phone': 'Phone',
  'driver.status': 'Status',
  'driver.provider': 'Platform',
  'driver.accountId': 'Platform account',
  'driver.driverId': 'Driver ID',
  'driver.vehicles': 'Vehicles',
  'driver.noVehicles': 'No vehicles',
  'driver.updated': 'Updated',
  'driver.unnamed': 'Unnamed driver',

  'status.active': 'Active',
  'status.inactive': 'Inactive',
  'status.suspended': 'Suspended',
  'status.blocked': 'Blocked',
  'status.pending': 'Pending',
  'status.onboarding': 'Onboarding',
  'status.archived': 'Archived',
  'status.deleted': 'Deleted',
  'status.unknown': 'Unknown',
};

export const LANGUAGES = ['fr', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANG: Lang = 'fr';

const dictionaries: Record<Lang, Messages> = { fr, en };

/** BCP 47 locale used with Intl for each UI language. */
export const LOCALES: Record<Lang, string> = { fr: 'fr-FR', en: 'en-GB' };

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

export type Params = Record<string, string | number>;

function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : match,
  );
}

/**
 * Message for `key` in `lang`, falling back to French, then to the key itself
 * (so a missing message is visible rather than blank).
 */
export function translate(lang: Lang, key: string, params?: Params): string {
  const messages = dictionaries[lang] ?? dictionaries[DEFAULT_LANG];
  const template =
    (messages as Record<string, string | undefined>)[key] ??
    (dictionaries[DEFAULT_LANG] as Record<string, string | undefined>)[key] ??
    key;
  return interpolate(template, params);
}

export const LANG_STORAGE_KEY = 'fm.lang';

/** The language remembered in localStorage, or French. */
export function storedLang(): Lang {
  try {
    const value = window.localStorage.getItem(LANG_STORAGE_KEY);
    return isLang(value) ? value : DEFAULT_LANG;
  } catch {
    return DEFAULT_LANG;
  }
}

export function storeLang(lang: Lang): void {
  try {
    window.localStorage.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    // Storage unavailable: the choice lasts for this page only.
  }
}
