// A person's page: their accounts on each platform side by side (with links to the platform
// driver pages), both platforms' figures over the chosen days and one chart, and, for those
// who may read it, the history of the decisions that made this person.
import { useId } from 'react';
import { getPerson, personActivity, type PersonActivity, type PersonDetail, type PersonIdentity, type Provider } from '../../api/client';
import { AccountName } from '../../components/AccountName';
import { BarChart } from '../../components/BarChart';
import { DetailHead, LoadView, StateNote } from '../../components/common';
import { DateRangePicker } from '../../components/DateRangePicker';
import { BoltCards, currencyOf, UberCards } from '../../components/PlatformCards';
import { useDateRange } from '../../dateRange';
import { providerLabel } from '../../drivers';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n/I18nProvider';
import { identityName, providerOf } from '../../people';
import { Link, paths } from '../../router';
import { vehicleLabel } from '../../lookups';
import { PersonHistory } from './PersonHistory';

const PLATFORMS: Provider[] = ['uber', 'bolt'];
/** Who may read a person's decision history (the API's rule). */
const HISTORY_ROLES = ['admin', 'manager', 'auditor'];

export function PersonPage({ personId, role }: { personId: string; role: string }) {
  const { t } = useI18n();
  const id = useId();
  const [state, retry] = useLoad(`person|${personId}`, (signal) => getPerson(personId, signal));
  let title = t('driver.title');
  if (state.status === 'ready') title = state.data.display_name || t('driver.unnamed');
  if (state.status === 'notFound') title = t('person.notFound');
  return (
    <section className="person" aria-labelledby={`${id}-title`}>
      <DetailHead id={`${id}-title`} title={title} back={paths.drivers()} backLabel={t('person.back')} />
      <LoadView
        state={state}
        retry={retry}
        notFound={
          <StateNote>{t('person.notFoundBody')}</StateNote>
        }
      >
        {(person) => (
          <>
            <Identities person={person} />
            <section className="activity" aria-labelledby={`${id}-activity`}>
              <h2 id={`${id}-activity`}>{t('activity.title')}</h2>
              <DateRangePicker />
              <Activity personId={personId} />
            </section>
            {HISTORY_ROLES.includes(role) && <PersonHistory personId={personId} />}
          </>
        )}
      </LoadView>
    </section>
  );
}

/** The person's accounts, one column per platform. */
function Identities({ person }: { person: PersonDetail }) {
  const { t } = useI18n();
  return (
    <section aria-label={t('person.identities')} className="platform-columns">
      {PLATFORMS.map((p) => {
        const mine = person.identities.filter((i) => providerOf(i) === p);
        return (
          <section key={p} className="platform-column" aria-label={providerLabel(p)}>
            <h2>
              <span className={`provider provider-${p}`}>{providerLabel(p)}</span>
            </h2>
            {mine.length === 0 ? (
              <p className="muted">{t('person.noIdentity')}</p>
            ) : (
              mine.map((i) => <IdentityCard key={i.identity_id} identity={i} person={person} />)
            )}
          </section>
        );
      })}
    </section>
  );
}

function IdentityCard({ identity, person }: { identity: PersonIdentity; person: PersonDetail }) {
  const { t } = useI18n();
  const none = t('value.none');
  const provider = providerOf(identity);
  const vehicles = person.vehicles.filter((v) => v.identity_id === identity.identity_id);
  return (
    <dl className="card details identity-card">
      <div>
        <dt>{t('people.col.name')}</dt>
        <dd>
          <Link to={paths.driver(identity.driver_id, provider)}>
            {identityName(identity)} — {t('person.openDriver', { provider: providerLabel(provider) })}
          </Link>
        </dd>
      </div>
      <div>
        <dt>{t('driver.phone')}</dt>
        <dd>{identity.phone || none}</dd>
      </div>
      <div>
        <dt>{t('driver.email')}</dt>
        <dd className="cell-email">{identity.email || none}</dd>
      </div>
      <div>
        <dt>{t('person.account')}</dt>
        <dd>
          <AccountName provider={provider} accountId={identity.account_id} />
        </dd>
      </div>
      <div>
        <dt>{t('person.vehicles')}</dt>
        <dd>
          {vehicles.length === 0 ? (
            t('driver.noVehicles')
          ) : (
            <ul className="plain-list">
              {vehicles.map((v) => (
                <li key={v.vehicle_id}>{vehicleLabel({ plate: v.plate, make: null, model: v.model }) || t('vehicle.unknown')}</li>
              ))}
            </ul>
          )}
        </dd>
      </div>
    </dl>
  );
}

function Activity({ personId }: { personId: string }) {
  const { range } = useDateRange();
  const [state, retry] = useLoad(`activity|${personId}|${range.from}|${range.to}`, (signal) =>
    personActivity(personId, range, signal),
  );
  return (
    <LoadView state={state} retry={retry}>
      {(data) => <ActivityFigures data={data} />}
    </LoadView>
  );
}

/** Both platforms' cards side by side, then one chart of the day's earnings on each. */
function ActivityFigures({ data }: { data: PersonActivity }) {
  const { t, formatMoney, formatDay } = useI18n();
  const currency = currencyOf([data.uber, data.bolt]);
  return (
    <>
      <div className="platform-columns">
        <section className="platform-column" aria-label={t('overview.summary', { provider: 'Uber' })}>
          <h3>{providerLabel('uber')}</h3>
          <UberCards totals={data.uber} label={t('overview.summary', { provider: 'Uber' })} />
        </section>
        <section className="platform-column" aria-label={t('overview.summary', { provider: 'Bolt' })}>
          <h3>{providerLabel('bolt')}</h3>
          <BoltCards totals={data.bolt} label={t('overview.summary', { provider: 'Bolt' })} />
        </section>
      </div>
      <BarChart
        title={t('person.chart')}
        labels={data.days.map((d) => formatDay(d.day, false))}
        series={[
          { name: t('person.uberEarnings'), values: data.days.map((d) => d.uber.earnings_minor), tone: 'primary' },
          { name: t('person.boltGross'), values: data.days.map((d) => d.bolt.gross_minor), tone: 'secondary' },
        ]}
        format={(v) => formatMoney(v, currency)}
      />
    </>
  );
}
