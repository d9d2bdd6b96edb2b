"""Day ranges (``from``/``to`` as YYYY-MM-DD, Europe/Paris calendar days), validated once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Query

from query_api.problems import ApiProblem

PARIS = ZoneInfo("Europe/Paris")
MAX_DAYS = 366
DEFAULT_DAYS = 30


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
    since: Annotated[date | None, Query(alias="from", description="First day (YYYY-MM-DD)")] = None,
    until: Annotated[date | None, Query(alias="to", description="Last day, included")] = None,
) -> DayRange:
    """The asked days; by default the last 30 days up to today in Paris.

    ``from`` after ``to`` and ranges over 366 days are 400 problems.
    """
    last = until or datetime.now(PARIS).date()
    first = since or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise ApiProblem(400, "Bad Request", "from must not be after to")
    if (last - first).days >= MAX_DAYS:
        raise ApiProblem(400, "Bad Request", f"at most {MAX_DAYS} days at a time")
    return DayRange(first, last)


Days = Annotated[DayRange, Depends(day_range)]
