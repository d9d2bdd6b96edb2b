"""Bolt pollers: one per resource, each appending what changed since its last observation.

Schedules (``contracts/resources.py``): companies daily, drivers and vehicles every 15 min,
orders every 6 h, recent orders and state logs hourly.

Windows and cursors. Drivers and vehicles are full listings (Bolt still wants a window; we
send the last 31 days). Orders and state logs are windowed with a cursor in ``poll_cursors``
(``{"until": unix_s}``: everything before it has been stored). A run reads from
``until - overlap`` to now, cut into ≤31-day windows, so a run after downtime walks the whole
gap. The cursor moves to a window's end in the transaction that stores that window's last
page: a crash mid-window re-reads the window on the next run, and re-read records append
nothing (hash change detection), so there are neither holes nor duplicates.

Why the overlap: getFleetOrders filters on creation time but only lists an order once it is
closed, so an order created just before a run and finished after it would fall behind the
cursor. Re-reading the last ``orders_overlap_s`` (24 h) costs one call and catches it.

Orders have a second pass each run, filtered on price-review time over the last 7 days: a
reviewed fare changes the order record, hence exactly one new event; unchanged orders give
nothing.

Recent orders (the spec's hourly ``earnings``) read the orders created in the last
``recent_orders_s`` (6 h, the orders schedule) with no cursor, so the driver-day earnings
built from orders are at most an hour old while the full window keeps its 6-hour schedule.
An order both polls see appends once (change detection), whichever stores it first.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar
from uuid import UUID

import asyncpg
import msgspec

from contracts import bolt as c
from ingest.ahead import fetched_ahead
from ingest.bolt import kinds
from ingest.bolt.client import FILTER_CREATED, FILTER_PRICE_REVIEW, PROVIDER, BoltClient, BoltPage
from ingest.bolt.windows import DAY_S, MAX_WINDOW_S, Window, unix
from ingest.coverage import LISTING, Covered, Where, record_coverage
from ingest.cursors import load_cursor, save_cursor
from ingest.errors import ProviderRejected
from ingest.pages import PollResult, RecordKind, decode_records, failure_recorder, store_page

log = logging.getLogger(__name__)

T = TypeVar("T")
Clock = Callable[[], datetime]
# What a whole window lets a poll claim: its span (a windowed resource), the instant of the
# listing (drivers, vehicles), or nothing (the price-review pass filters on another time).
Claim = Literal["window", "listing"] | None

ORDERS_CURSOR = "orders"
STATE_LOGS_CURSOR = "state_logs"

_UPSERT_ACCOUNT = """
INSERT INTO provider_accounts (org_id, provider, account_id, name)
VALUES ($1, 'bolt', $2, $3)
ON CONFLICT (org_id, provider, account_id) DO UPDATE
    SET name = coalesce(excluded.name, provider_accounts.name)
"""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class BoltPollSettings:
    """How far back and how wide each poll reads (seconds)."""

    company_ids: tuple[int, ...] | None = None  # BOLT_COMPANY_IDS: only these companies
    roster_window_s: int = MAX_WINDOW_S  # drivers, vehicles: the window Bolt requires
    backfill_s: int = 31 * DAY_S  # orders, state logs: first run reads this far back
    orders_overlap_s: int = DAY_S
    review_s: int = 7 * DAY_S  # the price-review pass
    recent_orders_s: int = 6 * 3600  # recent orders: created since the last full orders poll
    state_logs_overlap_s: int = 3600


class BoltPollers:
    """The Bolt resources of one tenant."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        client: BoltClient,
        org_id: UUID,
        settings: BoltPollSettings | None = None,
        now: Clock = utc_now,
    ) -> None:
        self._pool = pool
        self._client = client
        self._org_id = org_id
        self._settings = settings or BoltPollSettings()
        self._now = now
        self._on_failure = failure_recorder(pool, org_id)

    async def companies(self) -> PollResult:
        """Discover the companies we may read; each becomes a provider account."""
        page = await self._client.companies(on_failure=self._on_failure)
        ids = self._wanted(page.body.company_ids)
        decoded = decode_records(kinds.company_records(ids), kinds.COMPANY)
        async with self._pool.acquire() as conn, conn.transaction():
            for company_id in ids:
                await conn.execute(_UPSERT_ACCOUNT, self._org_id, str(company_id), None)
            where = Where(self._org_id, PROVIDER, "", "companies")
            await record_coverage(conn, where, LISTING)
            result = await store_page(
                conn,
                org_id=self._org_id,
                account_id="",
                kind=kinds.COMPANY,
                resource="companies",
                call=page.call,
                decoded=decoded,
            )
        log.info("bolt companies: %s", result)
        return result

    async def drivers(self) -> PollResult:
        """Every driver of every company (a full listing)."""
        return await self._each_company("drivers", self._drivers_of)

    async def vehicles(self) -> PollResult:
        """Every vehicle of every company (a full listing, 100 a page)."""
        return await self._each_company("vehicles", self._vehicles_of)

    async def orders(self) -> PollResult:
        """New orders since the cursor, then orders whose price was reviewed lately."""
        return await self._each_company("orders", self._orders_of)

    async def recent_orders(self) -> PollResult:
        """Orders created in the last few hours, between two polls of the full window."""
        return await self._each_company("recent_orders", self._recent_orders_of)

    async def state_logs(self) -> PollResult:
        """Driver state changes since the cursor."""
        return await self._each_company("state_logs", self._state_logs_of)

    # -- one company ---------------------------------------------------------------------

    async def _drivers_of(self, company_id: int) -> PollResult:
        end = unix(self._now())
        pages = self._client.drivers(
            company_id, end - self._settings.roster_window_s, end, self._on_failure
        )
        return await self._store(
            company_id, kinds.DRIVER, "drivers", pages, _drivers, claim="listing"
        )

    async def _vehicles_of(self, company_id: int) -> PollResult:
        end = unix(self._now())
        pages = self._client.vehicles(
            company_id, end - self._settings.roster_window_s, end, self._on_failure
        )
        return await self._store(
            company_id, kinds.VEHICLE, "vehicles", pages, _vehicles, claim="listing"
        )

    async def _orders_of(self, company_id: int) -> PollResult:
        end = unix(self._now())
        start = await self._resume(company_id, ORDERS_CURSOR, end, self._settings.orders_overlap_s)
        created = self._client.orders(company_id, start, end, FILTER_CREATED, self._on_failure)
        result = await self._store(
            company_id, kinds.ORDER, "orders", created, _orders, ORDERS_CURSOR, "window"
        )
        reviewed = self._client.orders(
            company_id, end - self._settings.review_s, end, FILTER_PRICE_REVIEW, self._on_failure
        )
        result.add(await self._store(company_id, kinds.ORDER, "orders", reviewed, _orders))
        return result

    async def _recent_orders_of(self, company_id: int) -> PollResult:
        end = unix(self._now())
        start = end - self._settings.recent_orders_s
        pages = self._client.orders(company_id, start, end, FILTER_CREATED, self._on_failure)
        return await self._store(
            company_id, kinds.ORDER, "recent_orders", pages, _orders, claim="window"
        )

    async def _state_logs_of(self, company_id: int) -> PollResult:
        end = unix(self._now())
        overlap = self._settings.state_logs_overlap_s
        start = await self._resume(company_id, STATE_LOGS_CURSOR, end, overlap)
        pages = self._client.state_logs(company_id, start, end, self._on_failure)
        return await self._store(
            company_id,
            kinds.STATE_LOG,
            "state_logs",
            pages,
            _state_logs,
            STATE_LOGS_CURSOR,
            "window",
        )

    # -- shared ----------------------------------------------------------------------------

    async def _resume(self, company_id: int, resource: str, end: int, overlap_s: int) -> int:
        """Where a windowed poll starts: the cursor less the overlap, or the backfill."""
        cursor = await load_cursor(self._pool, self._org_id, PROVIDER, resource, str(company_id))
        if cursor is None:
            return end - self._settings.backfill_s
        if cursor.get("retries"):  # held at a window to read again: from its very start
            return min(int(cursor["until"]), end - 1)
        return min(int(cursor["until"]) - overlap_s, end - 1)

    async def _cursor(self, resource: str, account: str) -> dict[str, Any] | None:
        return await load_cursor(self._pool, self._org_id, PROVIDER, resource, account)

    async def _store(
        self,
        company_id: int,
        kind: RecordKind,
        resource: str,
        pages: AsyncIterator[BoltPage[T]],
        records: Callable[[T], Sequence[msgspec.Raw]],
        cursor: str | None = None,
        claim: Claim = None,
    ) -> PollResult:
        """Store each page in its own transaction, with the cursor and the coverage claim on
        a window's last page.

        A window that quarantined a record, or that ended short of the rows Bolt announced,
        holds the cursor at its start, so the next run reads it again; after
        ``MAX_WINDOW_RETRIES`` runs the cursor moves on (the record stays in quarantine). A
        short window claims no coverage: its hole stays visible as a gap. The next page is
        asked for while one is stored (:mod:`ingest.ahead`).
        """
        total = PollResult()
        account = str(company_id)
        saved = await self._cursor(cursor, account) if cursor else None
        held = _Hold(retries=int((saved or {}).get("retries", 0)))
        where = Where(self._org_id, PROVIDER, account, resource)
        async with aclosing(fetched_ahead(pages)) as ahead:
            async for page in ahead:
                decoded = decode_records(records(page.body), kind)
                held.see(page.window.start, bool(decoded.rejects) or page.shortfall is not None)
                if page.shortfall is not None:
                    total.incomplete.append(f"company {company_id}: {page.shortfall}")
                async with self._pool.acquire() as conn, conn.transaction():
                    if cursor is not None and page.window_done:
                        until = held.cursor(page.window.end)
                        await save_cursor(conn, self._org_id, PROVIDER, cursor, account, until)
                    if page.window_done and page.shortfall is None and claim is not None:
                        await record_coverage(conn, where, _claimed(claim, page.window))
                    total.add(
                        await store_page(
                            conn,
                            org_id=self._org_id,
                            account_id=account,
                            kind=kind,
                            resource=resource,
                            call=page.call,
                            decoded=decoded,
                        )
                    )
        return total

    async def _each_company(
        self, resource: str, poll: Callable[[int], Awaitable[PollResult]]
    ) -> PollResult:
        """Poll every company; one refused company does not stop the others.

        The first refusal (e.g. 498810 COMPANY_NOT_ALLOWED) is raised once the others are
        done, so the run is still reported as failed.
        """
        total, refused = PollResult(), None
        for company_id in await self._companies():
            try:
                total.add(await poll(company_id))
            except ProviderRejected as exc:
                log.error("bolt %s of company %s refused: %s", resource, company_id, exc)
                refused = refused or exc
        log.info("bolt %s: %s", resource, total)
        if refused is not None:
            raise refused
        return total

    async def _companies(self) -> list[int]:
        """The tenant's companies; on the first run they are discovered first."""
        companies = await self._known_companies()
        if not companies:
            await self.companies()
            companies = await self._known_companies()
        return companies

    async def _known_companies(self) -> list[int]:
        rows = await self._pool.fetch(
            "SELECT account_id FROM provider_accounts WHERE org_id = $1 AND provider = $2",
            self._org_id,
            PROVIDER,
        )
        configured = self._settings.company_ids
        ids = [int(row["account_id"]) for row in rows]
        return sorted(i for i in ids if configured is None or i in configured)

    def _wanted(self, company_ids: Sequence[int]) -> list[int]:
        """The companies to poll: all of them, or only those of BOLT_COMPANY_IDS."""
        configured = self._settings.company_ids
        if configured is None:
            return list(company_ids)
        missing = set(configured) - set(company_ids)
        if missing:
            log.warning("BOLT_COMPANY_IDS not readable with these credentials: %s", missing)
        return [cid for cid in company_ids if cid in configured]


MAX_WINDOW_RETRIES = 3


class _Hold:
    """Where the cursor may go: not past a window that quarantined a record (a few times)."""

    def __init__(self, retries: int) -> None:
        self.retries = retries
        self.start: int | None = None

    def see(self, window_start: int, rejected: bool) -> None:
        if rejected and self.start is None and self.retries < MAX_WINDOW_RETRIES:
            self.start = window_start

    def cursor(self, window_end: int) -> dict[str, int]:
        if self.start is None:
            return {"until": window_end}
        return {"until": self.start, "retries": self.retries + 1}


def _claimed(claim: Literal["window", "listing"], window: Window) -> Covered:
    if claim == "listing":
        return LISTING
    start, end = (datetime.fromtimestamp(t, UTC) for t in (window.start, window.end))
    return Covered(start, end)


def _drivers(data: c.BoltDriversData) -> Sequence[msgspec.Raw]:
    return data.drivers or []


def _vehicles(data: c.BoltVehiclesData) -> Sequence[msgspec.Raw]:
    return data.vehicles or []


def _orders(data: c.BoltOrdersData) -> Sequence[msgspec.Raw]:
    return data.orders or []


def _state_logs(data: c.BoltStateLogsData) -> Sequence[msgspec.Raw]:
    return data.state_logs or []
