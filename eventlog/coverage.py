"""Reading coverage: what each poll claimed (``ingest/coverage.py`` writes it), and the gaps.

The gaps are computed in SQL on multiranges: the period asked, minus the union
(``range_agg``) of the spans claimed, is exactly the time nobody fetched in full. The API
reads it under row-level security; ingest reads it to export the gauges of the payments
horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

Span = tuple[datetime, datetime]

# One row per (provider, account, resource) ever claimed, with its spans and gaps inside the
# period ($2, $3), and the newest instant it ever claimed (the freshness of its data).
_COVERAGE = """
WITH asked AS (SELECT tstzmultirange(tstzrange($2::timestamptz, $3::timestamptz)) AS period)
SELECT provider, account_id, resource,
       coalesce(range_agg(covered) FILTER (WHERE covered && asked.period), '{}')
           * asked.period AS covered,
       asked.period
           - coalesce(range_agg(covered) FILTER (WHERE covered && asked.period), '{}') AS gaps,
       count(*) FILTER (WHERE covered && asked.period) AS claims,
       max(upper(covered)) AS newest
FROM coverage, asked
WHERE org_id = $1
GROUP BY provider, account_id, resource, asked.period
ORDER BY provider, account_id, resource
"""

# The oldest instant of a period ($2, $3) that no poll covered (since the resource's first
# claim: nothing is owed from before polling began), per Uber org, across its payments (U6)
# and its transactions (U7). Uber serves both for the last 24 hours only: past that age, a
# gap of either can no longer be filled from the API, only from the daily report. Both
# count: in pay-period mode one U6 answer covers the whole week, while U7's hole is real.
# A first claim after the period's end leaves it an empty range (least), not an error.
_MONEY_GAPS = """
SELECT account_id, min(oldest_gap) AS oldest_gap
FROM (
    SELECT account_id,
           lower(tstzmultirange(tstzrange(
                     least(greatest($2::timestamptz, min(lower(covered))), $3::timestamptz),
                     $3::timestamptz))
                 - range_agg(covered)) AS oldest_gap
    FROM coverage
    WHERE org_id = $1 AND provider = 'uber' AND resource IN ('payments', 'transactions')
    GROUP BY account_id, resource
) AS by_resource
GROUP BY account_id
"""
HORIZON = timedelta(hours=24)  # how far back Uber serves payments and transactions
_NEWEST = """
SELECT account_id, max(upper(covered)) AS newest FROM coverage
WHERE org_id = $1 AND provider = $2 AND resource = $3
GROUP BY account_id
"""


@dataclass(frozen=True)
class Coverage:
    """One resource of one provider account over a period."""

    provider: str
    account_id: str
    resource: str
    covered: list[Span]
    gaps: list[Span]
    claims: int  # claims overlapping the period (listings: how many complete listings)
    newest: datetime | None


async def coverage_of(
    conn: asyncpg.Connection | asyncpg.Pool, org_id: UUID, start: datetime, end: datetime
) -> list[Coverage]:
    """Every resource's covered spans and gaps within ``[start, end)``."""
    rows = await conn.fetch(_COVERAGE, org_id, start, end)
    return [
        Coverage(
            r["provider"],
            r["account_id"],
            r["resource"],
            _spans(r["covered"]),
            _spans(r["gaps"]),
            r["claims"],
            r["newest"],
        )
        for r in rows
    ]


async def oldest_payments_gaps(
    conn: asyncpg.Connection | asyncpg.Pool, org_id: UUID, now: datetime
) -> dict[str, datetime | None]:
    """Per Uber org, the start of the oldest gap of its payments or transactions still
    within 24 h (None: none)."""
    return await oldest_money_gaps(conn, org_id, now - HORIZON, now)


async def oldest_money_gaps(
    conn: asyncpg.Connection | asyncpg.Pool, org_id: UUID, start: datetime, end: datetime
) -> dict[str, datetime | None]:
    """Per Uber org, the start of the oldest gap of its payments or transactions within
    ``[start, end)`` (None: none; an org with neither claimed is absent)."""
    rows = await conn.fetch(_MONEY_GAPS, org_id, start, end)
    return {r["account_id"]: r["oldest_gap"] for r in rows}


def _spans(multirange: list[asyncpg.Range]) -> list[Span]:
    """A multirange of bounded ranges as ``[start, end)`` pairs (a listing's '[t,t]' too)."""
    return [(r.lower, r.upper) for r in multirange]


async def newest_by_account(
    conn: asyncpg.Connection | asyncpg.Pool, org_id: UUID, provider: str, resource: str
) -> dict[str, datetime]:
    """Per provider account, the newest instant a complete poll of ``resource`` covered."""
    rows = await conn.fetch(_NEWEST, org_id, provider, resource)
    return {r["account_id"]: r["newest"] for r in rows}
