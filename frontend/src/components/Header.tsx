import type { Me } from '../api/client';
import { LANGUAGES } from '../i18n/dictionary';
import { useI18n } from '../i18n/I18nProvider';
import { Link, paths } from '../router';

interface Props {
  me: Me | null;
  onLogout: () => void;
}

export function Header({ me, onLogout }: Props) {
  const { t, lang, setLang } = useI18n();
  return (
    <header className="app-header">
      <div className="app-header-inner">
        <p className="brand">
          {me ? <Link to={paths.drivers()}>{t('app.name')}</Link> : t('app.name')}
        </p>
        <div className="header-tools">
          <div className="lang-switch" role="group" aria-label={t('header.language')}>
            {LANGUAGES.map((code) => (
              <button
                key={code}
                type="button"
                className="lang-button"
                lang={code}
                aria-pressed={lang === code}
                title={t(`lang.${code}`)}
                onClick={() => setLang(code)}
              >
                <span aria-hidden="true">{code.toUpperCase()}</span>
                <span className="visually-hidden">{t(`lang.${code}`)}</span>
              </button>
            ))}
          </div>
          {me && (
            <>
              <span className="user-email">
                <span className="visually-hidden">{t('header.signedInAs')} </span>
                {me.email}
              </span>
              <button type="button" className="button button-quiet" onClick={onLogout}>
                {t('header.logout')}
              </button>
            </>
          )}
        </div>
      </div>
    </header>
  );
}
