// Which page each address shows, once signed in. `paths` (router.tsx) builds these URLs.
import { Navigate, Route, Routes, useParams } from 'react-router';
import type { Provider } from './api/types';
import { PageHeading } from './components/common';
import { useI18n } from './i18n/I18nProvider';
import { AdminPage } from './pages/AdminPage';
import { AuditEventPage } from './pages/AuditEventPage';
import { AuditPage } from './pages/AuditPage';
import { DriverPage } from './pages/DriverPage';
import { DriversPage } from './pages/DriversPage';
import { OverviewPage } from './pages/OverviewPage';
import { QualityPage } from './pages/QualityPage';
import { ReportsPage } from './pages/ReportsPage';
import { VehiclesPage } from './pages/VehiclesPage';
import { Link, paths } from './router';

export function AppRoutes({ role }: { role: string }) {
  return (
    <Routes>
      <Route path="/" element={<Navigate to={paths.drivers()} replace />} />
      <Route path="/chauffeurs" element={<DriversPage />} />
      <Route path="/chauffeurs/:id" element={<DriverRoute />} />
      <Route path="/chauffeurs/:provider/:id" element={<DriverRoute />} />
      <Route path="/vue-d-ensemble" element={<OverviewPage />} />
      <Route path="/vehicules" element={<VehiclesPage />} />
      <Route path="/rapports" element={<ReportsPage role={role} />} />
      <Route path="/qualite" element={<QualityPage />} />
      {/* The views are one AuditPage at one place in the tree: a tab change keeps it mounted, and the focus on the tab. */}
      <Route path="/audit" element={<AuditPage view="events" />} />
      <Route path="/audit/appels" element={<AuditPage view="fetches" />} />
      <Route path="/audit/quarantaine" element={<AuditPage view="quarantine" />} />
      <Route path="/audit/:position" element={<AuditEventRoute />} />
      <Route path="/admin" element={<AdminPage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}

const PROVIDERS: readonly string[] = ['uber', 'bolt'] satisfies Provider[];

/** /chauffeurs/<id> (Uber, the first version's address) or /chauffeurs/<uber|bolt>/<id>. */
function DriverRoute() {
  const { provider = 'uber', id = '' } = useParams();
  if (!PROVIDERS.includes(provider)) return <NotFound />;
  return <DriverPage key={`${provider}:${id}`} driverId={id} provider={provider as Provider} />;
}

/** /audit/<position>: an event of the log; anything but a number is no page. */
function AuditEventRoute() {
  const { position = '' } = useParams();
  if (!/^\d+$/.test(position)) return <NotFound />;
  return <AuditEventPage key={position} position={position} />;
}

function NotFound() {
  const { t } = useI18n();
  return (
    <section className="state">
      <PageHeading title={t('app.notFound.title')}>{t('app.notFound.title')}</PageHeading>
      <p>{t('app.notFound.body')}</p>
      <p>
        <Link to={paths.drivers()}>{t('app.notFound.back')}</Link>
      </p>
    </section>
  );
}
