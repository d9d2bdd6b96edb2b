"""What every Uber poller shares: the tenant, the client, the clock, and how a page is stored.

A page is stored in one transaction (provider call, quarantined records, appended events);
a windowed poll also saves its cursor in that transaction, on the last page of a window, so
a crash can never leave the cursor past events that were not committed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import msgspec

from contracts.weeks import WeekRules
from eventlog.store import Observation, canonical_hash
from ingest.ahead import fetched_ahead
from ingest.coverage import Covered, Where, record_coverage
from ingest.cursors import load_cursor, save_cursor
from ingest.http import FailureSink, Fetched
from ingest.pages import Decoded, PollResult, RecordKind, decode_records, store_page
from ingest.uber.client import PROVIDER, UberClient
from ingest.uber.windows import Now, utc_now

P = TypeVar("P")
log = logging.getLogger(__name__)
Accounts = Callable[[], Awaitable[list[str]]]


@dataclass(frozen=True)
class UberPollSettings:
    """Tunable windows of the windowed polls (defaults follow docs/PROVIDERS.md §1.5)."""

    metrics_days: int = 3  # each run re-polls this many Paris days, today included
    metrics_max_catchup_days: int = 31  # oldest day a catch-up goes back to
    metrics_backfill_days: int = 31  # a fleet's first run reads this many days of history
    payments_bucket: timedelta = timedelta(hours=1)
    payments_settle: timedelta = timedelta(hours=1)  # re-poll a bucket until this old
    payments_margin: timedelta = timedelta(minutes=10)  # keep clear of the 24-hour edge
    transactions_window: timedelta = timedelta(minutes=15)
    transactions_lag: timedelta = timedelta(minutes=5)  # re-read: freshness is under 1 min
    transactions_margin: timedelta = timedelta(minutes=10)
    transactions_first_lookback: timedelta = timedelta(hours=24)  # first run, clamped
    only_org: str | None = None  # UBER_DEFAULT_ORG_ID: the one Uber org polled
    reports_type: str = "REPORT_TYPE_PAYMENTS_ORDER"
    reports_poll_first: timedelta = timedelta(seconds=1)  # then doubling, up to the cap
    reports_poll_cap: timedelta = timedelta(seconds=60)
    reports_poll_max: timedelta = timedelta(minutes=15)  # then the report waits for a run
    reports_link_attempts: int = 3
    reports_catch_up_days: int = 7  # days up to yesterday whose missed report a run fetches
    weeks: WeekRules = field(default_factory=WeekRules)  # FLEET_WEEK_STARTS: Uber's pay week


@dataclass(frozen=True)
class PollContext:
    """One tenant's Uber polling: where to store, whom to call, what time it is."""

    pool: asyncpg.Pool
    client: UberClient
    org_id: UUID
    on_failure: FailureSink
    accounts: Accounts
    now: Now = utc_now
    settings: UberPollSettings = UberPollSettings()

    async def cursor(self, resource: str, account: str) -> dict[str, Any] | None:
        """The saved cursor of ``resource`` for one Uber org."""
        return await load_cursor(self.pool, self.org_id, PROVIDER, resource, account)

    async def for_each_account(
        self, what: str, poll_account: Callable[[str], Awaitable[PollResult]]
    ) -> PollResult:
        """Poll every Uber org of the tenant in turn; log and return the sum as ``what``."""
        total = PollResult()
        for account in await self.accounts():
            total.add(await poll_account(account))
        log.info("%s: %s", what, total)
        return total


@dataclass(frozen=True)
class Target:
    """Where a page goes: which Uber org, which kind of record, which poll resource."""

    account: str
    kind: RecordKind
    resource: str


async def store_pages(
    ctx: PollContext,
    target: Target,
    pages: AsyncIterator[Fetched[P]],
    decode: Callable[[P], Decoded],
    cursor: dict[str, Any] | None = None,
    covered: Covered | None = None,
) -> PollResult:
    """Store every page, each in its own transaction; ``cursor`` and the ``covered`` claim
    go with the last one.

    The last page is the one after which the iterator stops (Uber gave no next page token),
    so each page is held back until the next arrives (or the iteration ends) before it is
    stored. An error mid-way raises before the last page: nothing is claimed. The page after
    the one being stored is asked for meanwhile (:mod:`ingest.ahead`).
    """
    total = PollResult()
    held: Fetched[P] | None = None
    async with aclosing(fetched_ahead(pages)) as ahead:
        async for page in ahead:
            if held is not None:
                total.add(await _store(ctx, target, held, decode, _Last()))
            held = page
    if held is not None:
        total.add(await _store(ctx, target, held, decode, _Last(cursor, covered)))
    return total


@dataclass(frozen=True)
class _Last:
    """What only the last page of a window carries."""

    cursor: dict[str, Any] | None = None
    covered: Covered | None = None


async def _store(
    ctx: PollContext,
    target: Target,
    page: Fetched[P],
    decode: Callable[[P], Decoded],
    last: _Last,
) -> PollResult:
    decoded = decode(page.body)
    async with ctx.pool.acquire() as conn, conn.transaction():
        if last.cursor is not None:
            await save_cursor(
                conn, ctx.org_id, PROVIDER, target.resource, target.account, last.cursor
            )
        if last.covered is not None:
            where = Where(ctx.org_id, PROVIDER, target.account, target.resource)
            await record_coverage(conn, where, last.covered)
        return await store_page(
            conn,
            org_id=ctx.org_id,
            account_id=target.account,
            kind=target.kind,
            resource=target.resource,
            call=page.call,
            decoded=decoded,
        )


def decode_wrapped(
    records: Sequence[msgspec.Raw], kind: RecordKind, wrap: Callable[[bytes], bytes]
) -> Decoded:
    """Decode (or quarantine) each record as ``kind``, then store it wrapped by ``wrap``."""
    decoded = decode_records(records, kind)
    return Decoded([_rewrap(obs, wrap) for obs in decoded.observations], decoded.rejects)


def _rewrap(obs: Observation, wrap: Callable[[bytes], bytes]) -> Observation:
    record = wrap(obs.record)
    return Observation(
        obs.entity_id, obs.event_type, obs.schema_version, record, canonical_hash(record)
    )
