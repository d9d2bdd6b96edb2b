"""Day ranges (``from``/``to`` as YYYY-MM-DD, Europe/Paris calendar days), validated once.

Dates and times in a query are taken only as the OpenAPI document writes them (``format:
date`` is RFC 3339's ``YYYY-MM-DD``, ``date-time`` its ``YYYY-MM-DDTHH:MM:SS[.f]Z|±HH:MM``).
Pydantic alone is lax: it read ``to=0`` as a Unix time, 1 January 1970, and answered the
wrong days instead of saying the request was wrong. Any other spelling is a 422 problem, as
every other malformed parameter is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Query
from pydantic import AwareDatetime, BeforeValidator

from query_api.problems import ApiProblem

PARIS = ZoneInfo("Europe/Paris")
MAX_DAYS = 366
DEFAULT_DAYS = 30


def written_as(pattern: str, form: str) -> Callable[[object], object]:
    """A pydantic before-validator letting through only text matching ``pattern``."""
    written = re.compile(pattern)

    def check(value: object) -> object:
        if isinstance(value, str) and written.fullmatch(value):
            return value
        raise ValueError(f"write it {form}")

    return check


IsoDay = Annotated[date, BeforeValidator(written_as(r"\d{4}-\d{2}-\d{2}", "YYYY-MM-DD"))]
IsoInstant = Annotated[
    AwareDatetime,
    BeforeValidator(
        written_as(
            r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})",
            "YYYY-MM-DDTHH:MM:SS with Z or an offset ±HH:MM",
        )
    ),
]


@dataclass(frozen=True)
class DayRange:
    first: date
    last: date

    def instants(self) -> tuple[datetime, datetime]:
        """The days as a UTC time window: from the first's Paris midnight (included) to the
        Paris midnight after the last (excluded), so DST days keep their 23 or 25 hours."""
        after = self.last + timedelta(days=1) if self.last < date.max else None
        return _midnight(self.first), _midnight(after)


def _midnight(day: date | None) -> datetime:
    """Paris midnight of ``day`` in UTC; past the datetime range, its bound (no overflow)."""
    if day is None:
        return datetime.max.replace(tzinfo=UTC)
    try:
        return datetime.combine(day, time(), PARIS).astimezone(UTC)
    except OverflowError:  # 0001-01-01 in Paris is still year 0 in UTC
        return datetime.min.replace(tzinfo=UTC)


async def day_range(
    since: Annotated[
        IsoDay | None, Query(alias="from", description="First day (YYYY-MM-DD)")
    ] = None,
    until: Annotated[IsoDay | None, Query(alias="to", description="Last day, included")] = None,
) -> DayRange:
    """The asked days; by default the last 30 days up to today in Paris.

    ``from`` after ``to`` and ranges over 366 days are 400 problems.
    """
    last = until or datetime.now(PARIS).date()
    # date.min: a `to` in the first days of year 1 has no 30 days before it
    first = since or max(last, date.min + timedelta(days=DEFAULT_DAYS - 1)) - timedelta(
        days=DEFAULT_DAYS - 1
    )
    if first > last:
        raise ApiProblem(400, "Bad Request", "from must not be after to")
    if (last - first).days >= MAX_DAYS:
        raise ApiProblem(400, "Bad Request", f"at most {MAX_DAYS} days at a time")
    return DayRange(first, last)


Days = Annotated[DayRange, Depends(day_range)]
