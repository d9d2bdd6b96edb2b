"""Appending the year as ingest does, page by page, beside a COPY of the same rows.

Each page is decoded by ingest's own code (``decode_records``, and for Uber's payments and
daily metrics ``decode_wrapped`` with the pollers' wrappers), then stored in one transaction
as ingest's ``store_page`` does: the provider call with its body (``record_call``), then
``append_observations``, observed at the poll's simulated time. The append figure is that
transaction less the provider call (timed apart); the baseline, measured right after each
page, is one binary COPY and commit of the very rows the append wrote into
``bench_scratch``, a table ``LIKE event_log INCLUDING ALL`` with its reference checks that grows
beside the log (bench_append.py's baseline, over a year instead of one table size).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import msgspec
from _harness import create_log_like
from _year_world import METRIC_NAMES, RawPage

from contracts import uber as u
from contracts.weeks import WeekRules
from eventlog.decisions import append_decisions
from eventlog.fetches import ProviderCall, record_call
from eventlog.store import Observation, append_observations, new_event_ids
from ingest.bolt import kinds as bolt
from ingest.pages import Decoded, RecordKind, decode_records
from ingest.uber.context import decode_wrapped
from ingest.uber.poll_metrics import metrics_kind
from ingest.uber.poll_payments import payment_kind, wrapper
from ingest.uber.poll_transactions import TRANSACTION
from ingest.uber.pollers import DRIVER, DRIVER_STATUS, ORGANIZATION, VEHICLE
from ingest.uber.windows import Window

# resource -> (provider, method, endpoint, the body's list of records, its record kind)
ENDPOINTS: dict[str, tuple[str, str, str, str, RecordKind | None]] = {
    "uber.organizations": ("uber", "GET", "/v1/vehicle-suppliers/orgs", "organizations",
                           ORGANIZATION),
    "uber.drivers": ("uber", "GET", "/v1/vehicle-suppliers/drivers", "driverInformation", DRIVER),
    "uber.vehicles": ("uber", "GET", "/v2/vehicle-suppliers/vehicles", "vehicleInformation",
                      VEHICLE),
    "uber.driver_status": ("uber", "GET", "/v1/vehicle-suppliers/drivers/actions",
                           "driverStatusOverviews", DRIVER_STATUS),
    "uber.daily_metrics": ("uber", "POST", "/v1/vehicle-suppliers/analytics-data/query", "rows",
                           None),
    "uber.payments": ("uber", "GET", "/v1/vehicle-suppliers/earners/payments",
                      "earnerPaymentBreakdowns", None),
    "uber.transactions": ("uber", "POST", "/v1/vehicle-suppliers/transactions", "transactions",
                          TRANSACTION),
    "bolt.companies": ("bolt", "GET", "/fleetIntegration/v1/getCompanies", "companies",
                       bolt.COMPANY),
    "bolt.drivers": ("bolt", "POST", "/fleetIntegration/v1/getDrivers", "drivers", bolt.DRIVER),
    "bolt.vehicles": ("bolt", "POST", "/fleetIntegration/v1/getVehicles", "vehicles",
                      bolt.VEHICLE),
    "bolt.orders": ("bolt", "POST", "/fleetIntegration/v1/getFleetOrders", "orders", bolt.ORDER),
    "bolt.state_logs": ("bolt", "POST", "/fleetIntegration/v1/getFleetStateLogs", "state_logs",
                        bolt.STATE_LOG),
}  # fmt: skip
SCRATCH = "bench_scratch"
_COLUMNS = (
    "event_id", "event_type", "schema_version", "provider", "org_id", "account_id", "entity_id",
    "observed_at", "record", "record_hash", "fetch_id",
)  # fmt: skip


def decode(page: RawPage) -> Decoded:
    """The page's observations, as the resource's poller decodes (and wraps) them."""
    raws = [msgspec.Raw(r) for r in page.records]
    kind = ENDPOINTS[page.resource][4]
    if kind is not None:
        return decode_records(raws, kind)
    assert page.bucket is not None
    start = datetime.fromtimestamp(page.bucket, UTC)
    if page.resource == "uber.payments":
        window = Window(start, start + timedelta(hours=1))
        asked = datetime.fromtimestamp(page.at, UTC)
        return decode_wrapped(raws, payment_kind(start), wrapper(window, asked, WeekRules()))
    day = start.date()
    return decode_wrapped(raws, metrics_kind(day), _metrics_wrapper(day))


def _metrics_wrapper(day: date) -> Any:
    label = day.isoformat()

    def wrap(raw: bytes) -> bytes:
        return msgspec.json.encode(u.UberDailyMetricsRecord(label, METRIC_NAMES, msgspec.Raw(raw)))

    return wrap


@dataclass
class Tally:
    """What the load did and how long each part took (seconds)."""

    pages: int = 0
    presented: int = 0
    appended: int = 0
    decisions: int = 0
    rejected: int = 0
    unchanged: int = 0
    decode_s: float = 0.0
    call_s: float = 0.0
    append_s: float = 0.0
    copy_s: float = 0.0
    decide_s: float = 0.0
    by_type: dict[str, int] = field(default_factory=dict)


class Loader:
    """Appends pages and decisions for one tenant, and COPYs the same rows beside them."""

    def __init__(self, conn: asyncpg.Connection, org: uuid.UUID, accounts: dict[str, str]) -> None:
        self.conn, self.org, self.accounts = conn, org, accounts
        self.tally = Tally()
        self.head = 0

    async def create_scratch(self) -> None:
        await create_log_like(self.conn, SCRATCH)

    async def page(self, page: RawPage) -> list[int]:
        """Store one poll's page; the positions of the events it appended."""
        provider, method, endpoint, key, _ = ENDPOINTS[page.resource]
        started = time.perf_counter()
        decoded = decode(page)
        self.tally.decode_s += time.perf_counter() - started
        at = datetime.fromtimestamp(page.at, UTC)
        body = b'{"%s":[' % key.encode() + b",".join(page.records) + b"]}"
        call = ProviderCall(provider, method, endpoint, at, 250, 200, body, "application/json",
                            {"page_size": len(page.records)})  # fmt: skip
        observations = decoded.observations
        t0 = time.perf_counter()
        async with self.conn.transaction():
            fetch_id = await record_call(self.conn, self.org, call)
            t1 = time.perf_counter()
            positions = await append_observations(
                self.conn, org_id=self.org, provider=provider, account_id=self.accounts[provider],
                entity_type=page.resource, observed_at=at, fetch_id=fetch_id,
                observations=observations,
            )  # fmt: skip
        t2 = time.perf_counter()
        self._count(page, decoded, positions, t1 - t0, t2 - t1)
        written = observations if len(positions) == len(observations) else []
        await self._copy(provider, at, fetch_id, written)
        return positions

    def _count(self, page: RawPage, decoded: Decoded, positions: list[int], call_s: float,
               append_s: float) -> None:  # fmt: skip
        t = self.tally
        t.pages += 1
        t.presented += len(page.records)
        t.appended += len(positions)
        t.rejected += len(decoded.rejects)
        t.unchanged += len(decoded.observations) - len(positions)
        t.call_s += call_s
        t.append_s += append_s
        if positions:
            self.head = positions[-1]
            event_type = decoded.observations[0].event_type
            t.by_type[event_type] = t.by_type.get(event_type, 0) + len(positions)

    async def _copy(
        self, provider: str, at: datetime, fetch_id: int, written: Sequence[Observation]
    ) -> None:
        """The baseline: the rows just appended, one binary COPY and commit; with the page's
        ``fetch_id`` too, so that the reference check reads the call on both sides."""
        if not written:
            return
        account = self.accounts[provider]
        # the ids our append draws (time-ordered), so the index on them costs both the same
        ids = new_event_ids(len(written))
        rows = [(event_id, o.event_type, o.schema_version, provider, self.org, account,
                 o.entity_id, at, o.record, o.record_hash, fetch_id)
                for event_id, o in zip(ids, written, strict=True)]  # fmt: skip
        started = time.perf_counter()
        async with self.conn.transaction():
            await self.conn.copy_records_to_table(SCRATCH, records=rows, columns=_COLUMNS)
        self.tally.copy_s += time.perf_counter() - started

    async def decide(self, decisions: Sequence[Any], at: int) -> list[int]:
        """Append a moment's decisions through the decisions path, in one transaction."""
        if not decisions:
            return []
        started = time.perf_counter()
        async with self.conn.transaction():
            positions = await append_decisions(
                self.conn, self.org, decisions, datetime.fromtimestamp(at, UTC)
            )
        self.tally.decide_s += time.perf_counter() - started
        self.tally.decisions += len(positions)
        if positions:
            self.head = positions[-1]
        return positions
