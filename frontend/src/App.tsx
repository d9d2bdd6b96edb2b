import { useEffect, useState } from 'react';
import {
  ApiError,
  getMe,
  getSession,
  hasExpiredSession,
  logout,
  onSessionExpired,
  type Me,
} from './api/client';
import { ErrorState, Loading, PageHeading } from './components/common';
import { Header } from './components/Header';
import { OfflineBanner } from './components/OfflineBanner';
import { useI18n } from './i18n/I18nProvider';
import { resetDriversListMemory } from './pages/DriversPage';
import { LoginPage, type LoginNotice } from './pages/LoginPage';
import { BrowserRouter, useNavigationNote } from './router';
import { AppRoutes } from './routes';
import { DateRangeProvider } from './dateRange';
import { ProviderProvider } from './provider';

type Auth =
  | { kind: 'checking' }
  | { kind: 'failed'; error: unknown }
  | { kind: 'anonymous'; notice?: LoginNotice }
  | { kind: 'authenticated'; me: Me };

function initialAuth(): Auth {
  const session = getSession();
  if (session?.me) return { kind: 'authenticated', me: session.me };
  if (session) return { kind: 'checking' };
  return hasExpiredSession() ? { kind: 'anonymous', notice: 'expired' } : { kind: 'anonymous' };
}

/** The app with its router and shared choices (provider, date range) around it. */
export function App() {
  return (
    <BrowserRouter>
      <ProviderProvider>
        <DateRangeProvider>
          <AppShell />
        </DateRangeProvider>
      </ProviderProvider>
    </BrowserRouter>
  );
}

function AppShell() {
  const { t } = useI18n();
  useNavigationNote();
  const [auth, setAuth] = useState<Auth>(initialAuth);
  const [checkAttempt, setCheckAttempt] = useState(0);

  // Any 401 outside login: the client has cleared the session; show the login page.
  useEffect(
    () =>
      onSessionExpired(() => {
        resetDriversListMemory();
        setAuth({ kind: 'anonymous', notice: 'expired' });
      }),
    [],
  );

  // A token without a known user (e.g. after a reload): ask who we are.
  useEffect(() => {
    if (auth.kind !== 'checking') return;
    const controller = new AbortController();
    getMe(controller.signal).then(
      (me) => setAuth({ kind: 'authenticated', me }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 401) return; // handled by onSessionExpired
        setAuth({ kind: 'failed', error });
      },
    );
    return () => controller.abort();
  }, [auth.kind, checkAttempt]);

  function handleLogout() {
    void logout();
    resetDriversListMemory();
    setAuth({ kind: 'anonymous' });
  }

  let main;
  switch (auth.kind) {
    case 'checking':
      main = <Loading />;
      break;
    case 'failed':
      main = (
        <>
          <PageHeading title={t('app.startError')}>{t('app.startError')}</PageHeading>
          <ErrorState
            error={auth.error}
            onRetry={() => {
              setAuth({ kind: 'checking' });
              setCheckAttempt((n) => n + 1);
            }}
          />
        </>
      );
      break;
    case 'anonymous':
      main = <LoginPage notice={auth.notice} onLoggedIn={(me) => setAuth({ kind: 'authenticated', me })} />;
      break;
    case 'authenticated':
      main = <AppRoutes role={auth.me.role} />;
      break;
  }

  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <Header me={auth.kind === 'authenticated' ? auth.me : null} onLogout={handleLogout} />
      <OfflineBanner />
      <main id="main" className="app-main" tabIndex={-1}>
        {main}
      </main>
    </>
  );
}
