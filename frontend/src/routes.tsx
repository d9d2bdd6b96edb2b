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
import { PayPage } from './pages/pay/PayPage';
import { StatementPage } from './pages/pay/StatementPage';
import { PeoplePage } from './pages/people/PeoplePage';
import { PersonPage } from './pages/people/PersonPage';
import { SuggestionsPage } from './pages/people/SuggestionsPage';
import { QualityPage } from './pages/QualityPage';
import { ReportsPage } from './pages/ReportsPage';
import { VehiclesPage } from './pages/VehiclesPage';
import { Link, paths } from './router';

export function AppRoutes({ role }: { role: string }) {
  return (
    <Routes>
      <Route path="/" element={<Navigate to={paths.drivers()} replace />} />
      <Route path="/chauffeurs" element={<PeoplePage />} />
      {/* Static segments rank above /chauffeurs/:id and /chauffeurs/:provider/:id. */}
      <Route path="/chauffeurs/comptes" element={<DriversPage />} />
      <Route path="/chauffeurs/suggestions" element={<SuggestionsPage />} />
      <Route path="/chauffeurs/personnes/:id" element={<PersonRoute role={role} />} />
      <Route path="/chauffeurs/:id" element={<DriverRoute />} />
      <Route path="/chauffeurs/:provider/:id" element={<DriverRoute />} />
      <Route path="/vue-d-ensemble" element={<OverviewPage />} />
      <Route path="/vehicules" element={<VehiclesPage />} />
      <Route path="/rapports" element={<ReportsPage role={role} />} />
      <Route path="/qualite" element={<QualityPage />} />
      <Route path="/paie" element={<PayPage />} />
      <Route path="/paie/:id" element={<StatementRoute role={role} />} />
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

/** /chauffeurs/personnes/<id>: a person, across platforms. */
function PersonRoute({ role }: { role: string }) {
  const { id = '' } = useParams();
  return <PersonPage key={id} personId={id} role={role} />;
}

/** /paie/<week>_<person id>: one person's statement of a week. */
function StatementRoute({ role }: { role: string }) {
  const { id = '' } = useParams();
  if (!/^\d{4}-W\d{2}_[0-9a-fA-F-]{36}$/.test(id)) return <NotFound />;
  return <StatementPage key={id} settlementId={id} role={role} />;
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
