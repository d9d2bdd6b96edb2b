"""The resources each provider offers to poll, declared once (shared by ingest and the API).

Each :class:`ResourceDeclaration` is the one place that names a provider resource: its name
(the ``sync_runs`` key and the ``/fleet/sync/{name}`` or ``/bolt/sync/{name}`` route), the
name the original spec gives it when ours differs (a route alias), its interval setting and
default, the event types its poller appends and the projections that read them. Everything else is
derived from :data:`DECLARED`: the lists, ingest's schedule and jobs, the sync routes and
their aliases, and the interval settings the ``.env.example`` test expects. The checklist for
the parts that cannot be derived (contract, poller, migration, read route, page) is
``docs/ADDING_A_RESOURCE.md``.

Pure data: projections are named by their checkpoint name, since contracts import nothing
above them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from contracts import bolt, uber, uber_report_rows

HOUR_S = 3600
DAY_S = 24 * HOUR_S


@dataclass(frozen=True)
class ResourceDeclaration:
    """One pollable resource of one provider."""

    provider: str  # "uber" or "bolt": the sync route's prefix is /fleet for Uber
    name: str  # lower snake case: the sync_runs key, the route and the setting's middle
    interval_s: int  # the schedule's default, in seconds
    event_types: tuple[str, ...]  # what its poller appends to the log
    projections: tuple[str, ...] = ()  # the projections reading those events, by name
    spec_alias: str | None = None  # the original spec's name for it, when ours differs
    # A setting name used before the regular one; still read, with a warning at start.
    deprecated_interval_env: str | None = None
    summary: str = ""  # one line for the docs and the sync route's description

    @property
    def interval_env(self) -> str:
        """``<PROVIDER>_<RESOURCE>_INTERVAL_S``: the setting overriding ``interval_s``."""
        return f"{self.provider.upper()}_{self.name.upper()}_INTERVAL_S"

    @property
    def route_names(self) -> tuple[str, ...]:
        """The names its sync route answers to: ours, then the spec's."""
        return (self.name,) if self.spec_alias is None else (self.name, self.spec_alias)


class Declaration:
    """A declaration: resources, unique per provider by name and alias."""

    def __init__(self, resources: Iterable[ResourceDeclaration]) -> None:
        self._all = tuple(resources)
        self._by_route: dict[tuple[str, str], ResourceDeclaration] = {}
        for resource in self._all:
            for route_name in resource.route_names:
                key = (resource.provider, route_name)
                if key in self._by_route:
                    raise ValueError(f"{resource.provider} declares {route_name!r} twice")
                self._by_route[key] = resource

    def __iter__(self) -> Iterator[ResourceDeclaration]:
        return iter(self._all)

    def providers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.provider for r in self._all))

    def of(self, provider: str) -> tuple[ResourceDeclaration, ...]:
        return tuple(r for r in self._all if r.provider == provider)

    def names(self, provider: str) -> tuple[str, ...]:
        return tuple(r.name for r in self.of(provider))

    def get(self, provider: str, name: str) -> ResourceDeclaration:
        """The resource ``name``, or the one the spec calls ``name``; ``KeyError`` if none."""
        return self._by_route[(provider, name)]

    def route_names(self, provider: str) -> tuple[str, ...]:
        return tuple(n for r in self.of(provider) for n in r.route_names)


def _one(
    provider: str,
    name: str,
    interval_s: int,
    event_type: str,
    *projections: str,
    spec_alias: str | None = None,
    deprecated_interval_env: str | None = None,
    summary: str = "",
) -> ResourceDeclaration:
    """A resource appending one event type (all of ours today)."""
    return ResourceDeclaration(
        provider, name, interval_s, (event_type,), projections,
        spec_alias, deprecated_interval_env, summary,
    )  # fmt: skip


DECLARED = Declaration(
    (
        _one("uber", "organizations", DAY_S, uber.ORGANIZATION_OBSERVED,
             spec_alias="orgs", deprecated_interval_env="UBER_ORGS_INTERVAL_S",
             summary="the Uber orgs our credentials reach"),
        _one("uber", "drivers", 6 * HOUR_S, uber.DRIVER_OBSERVED, "drivers",
             summary="every driver of every org"),
        _one("uber", "vehicles", 6 * HOUR_S, uber.VEHICLE_OBSERVED, "uber_vehicles",
             summary="every vehicle of every org"),
        _one("uber", "driver_status", 15 * 60, uber.DRIVER_STATUS_OBSERVED, "uber_driver_status",
             summary="each driver's realtime status"),
        _one("uber", "daily_metrics", 12 * HOUR_S, uber.DAILY_METRICS_OBSERVED,
             "uber_daily_metrics",
             spec_alias="metrics", deprecated_interval_env="UBER_METRICS_INTERVAL_S",
             summary="per-driver daily metrics of the last days"),
        _one("uber", "payments", 30 * 60, uber.PAYMENT_OBSERVED, "uber_payments",
             summary="driver payments since the cursor"),
        _one("uber", "transactions", 15 * 60, uber.TRANSACTION_OBSERVED, "uber_transactions",
             summary="transactions since the cursor"),
        ResourceDeclaration("uber", "reports", DAY_S,
                            (uber.REPORT_OBSERVED, uber_report_rows.PAYMENT_ORDER_ROW_OBSERVED),
                            ("uber_reports", "uber_transactions"),
                            summary="the PAYMENTS_ORDER reports of yesterday and days missed"),
        _one("bolt", "companies", DAY_S, bolt.COMPANY_OBSERVED, "bolt_companies",
             summary="the companies our credentials reach"),
        _one("bolt", "drivers", 15 * 60, bolt.DRIVER_OBSERVED, "bolt_drivers",
             summary="every driver of every company"),
        _one("bolt", "vehicles", 15 * 60, bolt.VEHICLE_OBSERVED, "bolt_vehicles",
             summary="every vehicle of every company"),
        _one("bolt", "orders", 6 * HOUR_S, bolt.ORDER_OBSERVED, "bolt_orders",
             spec_alias="trips",
             summary="orders since the cursor, and fares reviewed lately"),
        _one("bolt", "recent_orders", HOUR_S, bolt.ORDER_OBSERVED, "bolt_orders",
             spec_alias="earnings",
             summary="orders of the last 6 hours: earnings at most an hour old"),
        _one("bolt", "state_logs", HOUR_S, bolt.STATE_LOG_OBSERVED, "bolt_state_logs",
             summary="driver state changes since the cursor"),
    )
)  # fmt: skip

# The lists by provider, for the code that only needs names.
UBER_RESOURCES = DECLARED.names("uber")
BOLT_RESOURCES = DECLARED.names("bolt")
RESOURCES = {provider: DECLARED.names(provider) for provider in DECLARED.providers()}
