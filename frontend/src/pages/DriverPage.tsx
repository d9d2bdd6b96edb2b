import { useId } from 'react';
import { getDriver, type Driver, type Provider } from '../api/client';
import { AccountName, VehicleName } from '../components/AccountName';
import { DetailHead, LoadView, StateNote } from '../components/common';
import { DateRangePicker } from '../components/DateRangePicker';
import { driverName, providerLabel, statusLabel, statusTone } from '../drivers';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';
import { paths } from '../router';
import { BoltActivity } from './BoltActivity';
import { UberActivity } from './UberActivity';

export function DriverPage({ driverId, provider = 'uber' }: { driverId: string; provider?: Provider }) {
  const { t } = useI18n();
  const id = useId();
  const [state, retry] = useLoad(`${provider}:${driverId}`, (signal) => getDriver(driverId, signal, provider));

  let title = t('driver.title');
  if (state.status === 'ready') title = driverName(state.data) || t('driver.unnamed');
  if (state.status === 'notFound') title = t('driver.notFound');

  return (
    <section className="driver" aria-labelledby={`${id}-title`}>
      <DetailHead id={`${id}-title`} title={title} back={paths.drivers()} backLabel={t('driver.back')} />
      <LoadView
        state={state}
        retry={retry}
        notFound={
          <StateNote>{t('driver.notFoundBody')}</StateNote>
        }
      >
        {(driver) => (
          <>
            <DriverDetails driver={driver} />
            <section className="activity" aria-labelledby={`${id}-activity`}>
              <h2 id={`${id}-activity`}>{t('activity.title')}</h2>
              <DateRangePicker />
              {provider === 'uber' ? <UberActivity driverId={driverId} /> : <BoltActivity driverId={driverId} />}
            </section>
          </>
        )}
      </LoadView>
    </section>
  );
}

function DriverDetails({ driver }: { driver: Driver }) {
  const { t, formatDate } = useI18n();
  const none = t('value.none');
  const vehicles = driver.vehicle_ids ?? [];
  return (
    <dl className="card details">
      <div>
        <dt>{t('driver.lastName')}</dt>
        <dd>{driver.last_name || none}</dd>
      </div>
      <div>
        <dt>{t('driver.firstName')}</dt>
        <dd>{driver.first_name || none}</dd>
      </div>
      <div>
        <dt>{t('driver.phone')}</dt>
        <dd>{driver.phone ? <a href={`tel:${driver.phone.replace(/\s+/g, '')}`}>{driver.phone}</a> : none}</dd>
      </div>
      <div>
        <dt>{t('driver.email')}</dt>
        <dd className="cell-email">{driver.email ? <a href={`mailto:${driver.email}`}>{driver.email}</a> : none}</dd>
      </div>
      <div>
        <dt>{t('driver.status')}</dt>
        <dd>
          <span className={`badge badge-${statusTone(driver.status)}`}>{statusLabel(t, driver.status)}</span>
        </dd>
      </div>
      <div>
        <dt>{t('driver.provider')}</dt>
        <dd>{providerLabel(driver.provider)}</dd>
      </div>
      <div>
        <dt>{t('driver.accountId')}</dt>
        <dd>{driver.account_id ? <AccountName provider={driver.provider} accountId={driver.account_id} /> : none}</dd>
      </div>
      <div>
        <dt>{t('driver.driverId')}</dt>
        <dd className="mono">{driver.driver_id}</dd>
      </div>
      <div>
        <dt>{t('driver.vehicles')}</dt>
        <dd>
          {vehicles.length === 0 ? (
            t('driver.noVehicles')
          ) : (
            <ul className="plain-list">
              {vehicles.map((v) => (
                <li key={v}>
                  <VehicleName provider={driver.provider} vehicleId={v} />
                </li>
              ))}
            </ul>
          )}
        </dd>
      </div>
      <div>
        <dt>{t('driver.updated')}</dt>
        <dd>
          <time dateTime={driver.updated_at}>{formatDate(driver.updated_at)}</time>
        </dd>
      </div>
    </dl>
  );
}
