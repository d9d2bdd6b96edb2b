"""Local stand-in for the Uber Vehicle Suppliers and Bolt Fleet Integration APIs.

The simulator serves a deterministic world (built from a seed) over the real
provider paths, so the ingest clients can be developed and tested on 127.0.0.1.
Chaos and control endpoints live under ``/_sim/``.

Public surface::

    from simulator import FixedClock, SimulatorSettings, create_app
    app = create_app(SimulatorSettings(seed=7), clock=FixedClock(at))  # clock optional

Served routes (docs/PROVIDERS.md numbering)::

    Uber   POST /oauth/v2/token
           GET  /v1/vehicle-suppliers/orgs                      (U1)
           GET  /v1/vehicle-suppliers/drivers                   (U2)
           GET  /v1/vehicle-suppliers/drivers/actions           (U3)
           POST /v1/vehicle-suppliers/analytics-data/query      (U4)
           GET  /v2/vehicle-suppliers/vehicles                  (U5)
           GET  /v1/vehicle-suppliers/earners/payments          (U6)
           POST /v1/vehicle-suppliers/transactions              (U7)
           POST /v1/vehicle-suppliers/suppliers/{org_id}/reports (U10)
           GET  /v1/vehicle-suppliers/suppliers/{org_id}/reports (U11)
           GET  …/suppliers/{org_id}/reports/{report_id}         (U12)
           POST …/suppliers/{org_id}/reports/{report_id}/link    (U13)
           GET  /sim-files/reports/{report_id}/{file}?Expires=…&Signature=…  (signed)
    Bolt   POST /token
           GET  /fleet-integration-gateway/fleetIntegration/v1/getCompanies
           POST /fleet-integration-gateway/fleetIntegration/v1/{test, getDrivers,
                getVehicles, getFleetOrders, getFleetStateLogs}
    Sim    /_sim/... control and chaos endpoints (see ``simulator.control``)

Module map: ``settings``/``clock`` (inputs), ``people``/``places``/``activity``
(what happened, shared by both providers), ``platforms`` (who drives where, and how each
provider writes them down), ``world``/``bolt_world``/``roster`` (provider records),
``churn`` (drivers joining and leaving with the clock), ``reports``/``report_files``
(async CSV reports), ``ratelimit`` (token buckets, quotas), ``uber_*``/``bolt_*`` (HTTP),
``chaos``/``control``/``stats``, ``truth`` (who is who across providers, for tests only:
``GET /_sim/truth/people``, never on a provider route).
"""

from simulator.app import create_app
from simulator.clock import Clock, FixedClock, SystemClock
from simulator.settings import SimulatorSettings

__all__ = ["Clock", "FixedClock", "SimulatorSettings", "SystemClock", "create_app"]
