import { describe, expect, it } from 'vitest';
import { en, fr, LANG_STORAGE_KEY, storedLang, storeLang, translate } from './dictionary';

describe('i18n', () => {
  it('uses French by default', () => {
    expect(storedLang()).toBe('fr');
    expect(translate('fr', 'drivers.next')).toBe('Suivant');
  });

  it('translates into English when the key exists', () => {
    expect(translate('en', 'drivers.next')).toBe('Next');
  });

  it('falls back to French when an English message is missing', () => {
    expect(en['app.name']).toBeUndefined();
    expect(translate('en', 'app.name')).toBe(fr['app.name']);
  });

  it('falls back to the key itself when no language has it', () => {
    expect(translate('en', 'no.such.key')).toBe('no.such.key');
  });

  it('interpolates parameters and leaves unknown placeholders alone', () => {
    expect(translate('fr', 'drivers.page', { page: 3 })).toBe('Page 3');
    expect(translate('fr', 'drivers.page')).toBe('Page {page}');
  });

  it('remembers the chosen language and ignores unknown stored values', () => {
    storeLang('en');
    expect(window.localStorage.getItem(LANG_STORAGE_KEY)).toBe('en');
    expect(storedLang()).toBe('en');
    window.localStorage.setItem(LANG_STORAGE_KEY, 'de');
    expect(storedLang()).toBe('fr');
  });

  it('has an English message for nearly every French key', () => {
    const missing = Object.keys(fr).filter((key) => !(key in en));
    expect(missing).toEqual(['app.name', 'lang.fr', 'lang.en', 'value.none']);
  });
});
