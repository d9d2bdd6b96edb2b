"""Every projection the projector runs, by name."""

from __future__ import annotations

from projector.projection import Projection
from projector.projections.bolt_drivers import BoltDriversProjection
from projector.projections.bolt_fleet import BoltCompaniesProjection, BoltVehiclesProjection
from projector.projections.bolt_orders import BoltOrdersProjection
from projector.projections.bolt_state_logs import BoltStateLogsProjection
from projector.projections.drivers import DriversProjection
from projector.projections.people import PeopleProjection
from projector.projections.settlements import SettlementsProjection
from projector.projections.uber_driver_status import UberDriverStatusProjection
from projector.projections.uber_metrics import UberDailyMetricsProjection
from projector.projections.uber_payments import UberPaymentsProjection
from projector.projections.uber_reports import UberReportsProjection
from projector.projections.uber_transactions import UberTransactionsProjection
from projector.projections.uber_vehicles import UberVehiclesProjection


def all_projections() -> list[Projection]:
    return [
        DriversProjection(),
        UberVehiclesProjection(),
        UberDriverStatusProjection(),
        UberDailyMetricsProjection(),
        UberPaymentsProjection(),
        UberTransactionsProjection(),
        UberReportsProjection(),
        BoltDriversProjection(),
        BoltCompaniesProjection(),
        BoltVehiclesProjection(),
        BoltOrdersProjection(),
        BoltStateLogsProjection(),
        PeopleProjection(),
        SettlementsProjection(),
    ]
