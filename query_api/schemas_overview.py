"""Response bodies of the fleet overview: both providers' figures per day, and in total.

Money is integer minor units (cents) beside its ISO 4217 currency; days are Europe/Paris
calendar days. ``currency`` is null on a day without figures, and where the summed rows
hold more than one currency (the fleet's accounts are expected to share one).
"""

from __future__ import annotations

from datetime import date

import msgspec

from query_api.schemas_data import EarningsTotals, MetricsTotals


class UberFigures(MetricsTotals):
    """The fleet's Uber figures over a day (or the range): sums of its drivers' metrics."""

    active_drivers: int


class BoltFigures(EarningsTotals):
    """The fleet's Bolt figures over a day (or the range): sums of its drivers' earnings."""

    active_drivers: int


class OverviewDay(msgspec.Struct):
    day: date
    uber: UberFigures
    bolt: BoltFigures


class DriverCount(msgspec.Struct):
    """How many of the fleet's drivers a provider has in one status (null: none known)."""

    provider: str
    status: str | None
    drivers: int


class FleetOverview(msgspec.Struct):
    """Every day of the range (days without figures as zeros), the range's totals, and the
    fleet's drivers by provider and status (now, not over the range).

    A driver is active on a day when they made a trip or were online (Uber), or finished an
    order or earned (Bolt); ``active_drivers`` of the totals counts each driver once.
    ``active_people`` counts the people behind the active accounts over the range: one
    person's Uber and Bolt accounts count once, an account no person owns yet counts as one.
    """

    first_day: date
    last_day: date
    days: list[OverviewDay]
    uber: UberFigures
    bolt: BoltFigures
    drivers: list[DriverCount]
    active_people: int


class OverviewRow(msgspec.Struct, kw_only=True):
    """One day of one provider, as the CSV export writes it: the other provider's columns
    are empty."""

    day: date
    provider: str
    active_drivers: int
    trips: int | None = None
    hours_online: float | None = None
    hours_on_trip: float | None = None
    earnings_minor: int | None = None
    orders: int | None = None
    gross_minor: int | None = None
    commission_minor: int | None = None
    net_minor: int | None = None
    tips_minor: int | None = None
    tolls_minor: int | None = None
    cash_minor: int | None = None
    in_app_minor: int | None = None
    currency: str | None


OVERVIEW_STRUCTS: list[type] = [FleetOverview]
