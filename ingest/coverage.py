"""Coverage: which spans of time each poll fetched in full, written with the data itself.

A windowed poll (Uber payments, transactions, daily metrics; Bolt orders, recent orders,
state logs) claims ``[start, end)`` of one provider account only in the transaction that
stores the last page of that window: if the poll dies mid-window, or the provider answered
fewer rows than it announced, nothing is claimed, and the hole shows as a gap
(``query_api/routes/quality.py``). A full listing (drivers, vehicles, statuses...) has no
span; it claims the instant it was complete, and its coverage is that instant's age.

The sync run a claim belongs to travels in a context variable that ``ingest.runs`` sets
around each poll, so the pollers need not carry it through every call.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from eventlog.coverage import newest_by_account, oldest_payments_gaps
from ingest import metrics

CURRENT_RUN: ContextVar[UUID | None] = ContextVar("current_run", default=None)

_SPAN = """
INSERT INTO coverage (org_id, provider, account_id, resource, covered, run_id)
VALUES ($1, $2, $3, $4, tstzrange($5, $6, '[)'), $7)
"""
# now() is the transaction's start: the listing's last page commits in this transaction.
_INSTANT = """
INSERT INTO coverage (org_id, provider, account_id, resource, covered, run_id)
VALUES ($1, $2, $3, $4, tstzrange(now(), now(), '[]'), $5)
"""


@dataclass(frozen=True)
class Covered:
    """What a complete poll lets us claim: ``[start, end)``, or (both None) a full listing."""

    start: datetime | None = None
    end: datetime | None = None


LISTING = Covered()


@dataclass(frozen=True)
class Where:
    """Whose coverage: tenant, provider, provider account and resource."""

    org_id: UUID
    provider: str
    account_id: str
    resource: str


async def record_coverage(conn: asyncpg.Connection, where: Where, covered: Covered) -> None:
    """Claim ``covered``; call inside the transaction that stores the page completing it."""
    key = (where.org_id, where.provider, where.account_id, where.resource)
    if covered.start is None or covered.end is None:
        await conn.execute(_INSTANT, *key, CURRENT_RUN.get())
    elif covered.start < covered.end:  # an empty window claims nothing
        await conn.execute(_SPAN, *key, covered.start, covered.end, CURRENT_RUN.get())


# The runs that can open or close a gap of Uber money (eventlog/coverage.py): the payments
# and transactions polls, and the daily report whose rows fill what the API no longer serves
# (ingest/uber/report_coverage.py).
PAYMENTS_GAP_RUNS = {("uber", "payments"), ("uber", "transactions"), ("uber", "reports")}


async def export_gauges(
    pool: asyncpg.Pool, org_id: UUID, provider: str, resource: str, now: Callable[[], datetime]
) -> None:
    """Refresh the coverage gauges of one resource after a run (whatever its outcome).

    ``now`` is ingest's clock: the payments gap's age is measured on it at every scrape."""
    org = str(org_id)
    for account, newest in (await newest_by_account(pool, org_id, provider, resource)).items():
        metrics.coverage_newest(org, provider, resource, account, newest.timestamp())
    if (provider, resource) in PAYMENTS_GAP_RUNS:
        for account, gap in (await oldest_payments_gaps(pool, org_id, now())).items():
            oldest = None if gap is None else gap.timestamp()
            metrics.payments_gap(org, account, oldest, lambda: now().timestamp())
