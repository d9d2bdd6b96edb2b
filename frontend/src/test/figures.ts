// A day of fleet figures on each platform, as /fleet/overview and /people/{id}/activity answer them.
export const NO_UBER = { trips: 0, hours_online: 0, hours_on_trip: 0, earnings_minor: 0, currency: null, active_drivers: 0 };
export const NO_BOLT = {
  orders: 0,
  gross_minor: 0,
  commission_minor: 0,
  net_minor: 0,
  tips_minor: 0,
  tolls_minor: 0,
  cash_minor: 0,
  in_app_minor: 0,
  currency: null,
  active_drivers: 0,
};
export const UBER_DAY = { trips: 15, hours_online: 17, hours_on_trip: 12.5, earnings_minor: 13345, currency: 'EUR', active_drivers: 2 };
export const BOLT_DAY = {
  orders: 4,
  gross_minor: 10000,
  commission_minor: 2000,
  net_minor: 8000,
  tips_minor: 100,
  tolls_minor: 50,
  cash_minor: 2500,
  in_app_minor: 7500,
  currency: 'EUR',
  active_drivers: 1,
};
