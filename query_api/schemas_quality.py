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


QUALITY_STRUCTS: list[type] = [CoverageReport, WeekStatus]
