import type { Me } from '../api/client';
import { LANGUAGES, type MessageKey } from '../i18n/dictionary';
import { useI18n } from '../i18n/I18nProvider';
import { Link, NavLink, paths } from '../router';
import { ProviderSwitch } from './ProviderSwitch';

interface Props {
  me: Me | null;
  onLogout: () => void;
}

interface NavItem {
  to: string;
  label: MessageKey;
  roles?: string[];
}

const NAV: NavItem[] = [
  { to: paths.overview(), label: 'nav.overview' },
  { to: paths.drivers(), label: 'nav.drivers' },
  { to: paths.vehicles(), label: 'nav.vehicles' },
  { to: paths.reports(), label: 'nav.reports' },
  { to: paths.pay(), label: 'nav.pay' },
  { to: paths.quality(), label: 'nav.quality' },
  { to: paths.audit(), label: 'nav.audit', roles: ['admin', 'auditor'] },
  { to: paths.admin(), label: 'nav.admin', roles: ['admin'] },
];

export function Header({ me, onLogout }: Props) {
  const { t, lang, setLang } = useI18n();
  const items = me ? NAV.filter((item) => !item.roles || item.roles.includes(me.role)) : [];
  return (
    <header className="app-header">
      <div className="app-header-inner">
        <p className="brand">{me ? <Link to={paths.drivers()}>{t('app.name')}</Link> : t('app.name')}</p>
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
      {me && (
        <div className="app-nav-inner">
          <nav aria-label={t('nav.label')}>
            <ul className="nav-list">
              {items.map((item) => (
                <li key={item.to}>
                  {/* aria-current="page" on this page and the pages under it (/audit/appels…) */}
                  <NavLink to={item.to} className="nav-link">
                    {t(item.label)}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <ProviderSwitch />
        </div>
      )}
    </header>
  );
}
