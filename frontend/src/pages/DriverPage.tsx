import { useEffect, useId, useState } from 'react';
import { ApiError, getDriver, isAbortError, type Driver } from '../api/client';
import { ErrorState, Loading, PageHeading } from '../components/common';
import { driverName, providerLabel, statusLabel, statusTone } from '../drivers';
import { useOnReconnect } from '../hooks';
import { useI18n } from '../i18n/I18nProvider';
import { Link, paths } from '../router';

type LoadState =
  | { status: 'loading' }
  | { status: 'notFound' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; driver: Driver };

export function DriverPage({ driverId }: { driverId: string }) {
  const { t, formatDate } = useI18n();
  const id = useId();
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<LoadState>({ status: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    getDriver(driverId, controller.signal).then(
      (driver) => setState({ status: 'ready', driver }),
      (error: unknown) => {
        if (isAbortError(error)) return;
        if (error instanceof ApiError && error.status === 404) setState({ status: 'notFound' });
        else setState({ status: 'error', error });
      },
    );
    return () => controller.abort();
  }, [driverId, attempt]);

  const retry = () => setAttempt((n) => n + 1);
  useOnReconnect(() => {
    if (state.status === 'error') retry();
  });

  const none = t('value.none');
  let title = t('driver.title');
  if (state.status === 'ready') title = driverName(state.driver) || t('driver.unnamed');
  if (state.status === 'notFound') title = t('driver.notFound');

  return (
    <section className="driver" aria-labelledby={`${id}-title`}>
      <p className="back">
        <Link to={paths.drivers()}>
          <span aria-hidden="true">← </span>
          {t('driver.back')}
        </Link>
      </p>
      <PageHeading id={`${id}-title`} title={title}>
        {title}
      </PageHeading>

      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorState error={state.error} onRetry={retry} />}
      {state.status === 'notFound' && (
        <p className="state state-empty" role="status">
          {t('driver.notFoundBody')}
        </p>
      )}

      {state.status === 'ready' && (
        <dl className="card details">
          <div>
            <dt>{t('driver.lastName')}</dt>
            <dd>{state.driver.last_name || none}</dd>
          </div>
          <div>
            <dt>{t('driver.firstName')}</dt>
            <dd>{state.driver.first_name || none}</dd>
          </div>
          <div>
            <dt>{t('driver.phone')}</dt>
            <dd>
              {state.driver.phone ? <a href={`tel:${state.driver.phone.replace(/\s+/g, '')}`}>{state.driver.phone}</a> : none}
            </dd>
          </div>
          <div>
            <dt>{t('driver.email')}</dt>
            <dd className="cell-email">
              {state.driver.email ? <a href={`mailto:${state.driver.email}`}>{state.driver.email}</a> : none}
            </dd>
          </div>
          <div>
            <dt>{t('driver.status')}</dt>
            <dd>
              <span className={`badge badge-${statusTone(state.driver.status)}`}>
                {statusLabel(t, state.driver.status)}
              </span>
            </dd>
          </div>
          <div>
            <dt>{t('driver.provider')}</dt>
            <dd>{providerLabel(state.driver.provider)}</dd>
          </div>
          <div>
            <dt>{t('driver.accountId')}</dt>
            <dd className="mono">{state.driver.account_id || none}</dd>
          </div>
          <div>
            <dt>{t('driver.driverId')}</dt>
            <dd className="mono">{state.driver.driver_id}</dd>
          </div>
          <div>
            <dt>{t('driver.vehicles')}</dt>
            <dd>
              {(state.driver.vehicle_ids ?? []).length === 0 ? (
                t('driver.noVehicles')
              ) : (
                <ul className="plain-list mono">
                  {(state.driver.vehicle_ids ?? []).map((vehicleId) => (
                    <li key={vehicleId}>{vehicleId}</li>
                  ))}
                </ul>
              )}
            </dd>
          </div>
          <div>
            <dt>{t('driver.updated')}</dt>
            <dd>
              <time dateTime={state.driver.updated_at}>{formatDate(state.driver.updated_at)}</time>
            </dd>
          </div>
        </dl>
      )}
    </section>
  );
}
