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
import { AdminPage } from './pages/AdminPage';
import { AuditEventPage } from './pages/AuditEventPage';
import { AuditPage } from './pages/AuditPage';
import { DriverPage } from './pages/DriverPage';
import { QualityPage } from './pages/QualityPage';
import { ReportsPage } from './pages/ReportsPage';
import { VehiclesPage } from './pages/VehiclesPage';
import { DriversPage, resetDriversListMemory } from './pages/DriversPage';
import { OverviewPage } from './pages/OverviewPage';
import { LoginPage, type LoginNotice } from './pages/LoginPage';
import { Link, navigate, paths, useRoute } from './router';
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

/** The app with its shared choices (provider, date range) around it. */
export function App() {
  return (
    <ProviderProvider>
      <DateRangeProvider>
        <AppShell />
      </DateRangeProvider>
    </ProviderProvider>
  );
}

function AppShell() {
  const { t } = useI18n();
  const route = useRoute();
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

  const authenticated = auth.kind === 'authenticated';
  useEffect(() => {
    if (authenticated && route.name === 'home') navigate(paths.drivers(), { replace: true });
  }, [authenticated, route.name]);

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
      switch (route.name) {
        case 'home':
        case 'drivers':
          main = <DriversPage />;
          break;
        case 'driver':
          main = <DriverPage key={`${route.provider}:${route.id}`} driverId={route.id} provider={route.provider} />;
          break;
        case 'overview':
          main = <OverviewPage />;
          break;
        case 'vehicles':
          main = <VehiclesPage />;
          break;
        case 'reports':
          main = <ReportsPage role={auth.me.role} />;
          break;
        case 'quality':
          main = <QualityPage />;
          break;
        case 'audit':
          main = <AuditPage view={route.view} />;
          break;
        case 'auditEvent':
          main = <AuditEventPage key={route.position} position={route.position} />;
          break;
        case 'admin':
          main = <AdminPage />;
          break;
        case 'notFound':
          main = (
            <section className="state">
              <PageHeading title={t('app.notFound.title')}>{t('app.notFound.title')}</PageHeading>
              <p>{t('app.notFound.body')}</p>
              <p>
                <Link to={paths.drivers()}>{t('app.notFound.back')}</Link>
              </p>
            </section>
          );
          break;
      }
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
