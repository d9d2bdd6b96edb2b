"""Response bodies of the data-quality routes: coverage, gaps and each week's status.

Instants are UTC; spans are half-open ``[start, end)``. A week's ``status`` is French, as the
dashboard shows it: ``complet`` or ``incomplet``, with the reasons (French sentences).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec


class TimeSpan(msgspec.Struct):
    start: datetime
    end: datetime


class ResourceCoverage(msgspec.Struct):
    """One resource of one provider account: what complete polls covered, and the gaps.

    A ``listing`` (drivers, vehicles...) has no spans: ``claims`` counts its complete
    listings in the period and ``newest`` is the last one.
    """

    provider: str
    account_id: str
    resource: str
    kind: Literal["window", "listing"]
    covered: list[TimeSpan]
    gaps: list[TimeSpan]
    claims: int
    newest: datetime | None
    newest_age_s: int | None


class CoverageReport(msgspec.Struct):
    """Coverage over Paris days ``first_day``–``last_day``, i.e. ``[start, end)`` (up to now)."""

    first_day: date
    last_day: date
    start: datetime
    end: datetime
    resources: list[ResourceCoverage]


class WeekResource(msgspec.Struct):
    resource: str
    account_id: str
    covered: list[TimeSpan]
    gaps: list[TimeSpan]


class PlatformWeek(msgspec.Struct):
    """One platform's week: its bounds, when its figures settle, and whether it is whole."""

    provider: str
    start: datetime
    end: datetime
    settled_at: datetime
    status: Literal["complet", "incomplet"]
    reasons: list[str]
    resources: list[WeekResource]


class WeekStatus(msgspec.Struct):
    week: str
    platforms: list[PlatformWeek]


class Difference(msgspec.Struct):
    """Two figures of one driver's week that should agree, and do not (cents).

    ``check`` names the pair: ``paiements/transactions``, ``transactions/métriques``,
    ``rapport/transaction`` (Uber), ``courses/gains``, ``espèces``, ``in-app`` (Bolt);
    ``reference`` the transaction, for a report row. ``delta_minor`` = left - right.
    """

    provider: str
    account_id: str
    driver_id: str
    driver_name: str | None
    check: str
    reference: str | None
    left: str
    left_minor: int
    right: str
    right_minor: int
    delta_minor: int
    reason: str


class Reconciliation(msgspec.Struct):
    """A week's differences across both platforms; ``drivers`` counts the driver-weeks
    compared (an empty ``differences`` with drivers compared: everything agrees)."""

    week: str
    uber_start: datetime
    uber_end: datetime
    bolt_start: datetime
    bolt_end: datetime
    drivers: int
    differences: list[Difference]


class UnderMinimum(msgspec.Struct):
    """A ride paid under the legal minimum in force on its day (cents).

    ``net_minor`` is the driver's pay for the ride without tips (and Bolt's toll
    reimbursements); ``floor`` the minimum that set ``minimum_minor`` (``course``, ``heure``
    or ``km``); ``rule_since`` the day the rule took effect. ``seconds`` (acceptance to
    drop-off) and ``metres`` are null where the platform does not say (Uber).
    """

    provider: str
    account_id: str
    driver_id: str
    driver_name: str | None
    ride_id: str
    at: datetime
    net_minor: int
    minimum_minor: int
    shortfall_minor: int
    floor: str
    rule_since: date
    seconds: int | None
    metres: int | None


class MinimumFares(msgspec.Struct):
    """The rides of a week paid under the minimum, per driver and time; ``rides`` counts
    every ride checked."""

    week: str
    rides: int
    under: list[UnderMinimum]


QUALITY_STRUCTS: list[type] = [CoverageReport, WeekStatus, Reconciliation, MinimumFares]
