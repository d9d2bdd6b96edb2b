"""Uber payments: bucketed windows behind a cursor, the 24-hour limit, restarts and chaos.

Buckets and cursors only exist where the endpoint honours the asked window (the
simulator's default); the tests that hold whatever it does with the window run under both
of its behaviours (``payments_window``), see also test_uber_payment_windows.py.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID

import asyncpg
import msgspec
import pytest

from contracts.uber import UberEarnerPayment, UberPaymentRecord
from ingest.cursors import load_cursor
from ingest.uber.windows import Window, from_ms
from simulator import FixedClock, SimulatorSettings
from tests.ingest import test_uber_windows as uber_sim
from tests.ingest.test_uber_windows import DRIVERS, NOW, PollersFactory, RequestLog, events_of, ms
from tests.simserver import SimServer, serve_simulator

clock, sent = uber_sim.clock, uber_sim.sent
fixed_http, make_pollers = uber_sim.fixed_http, uber_sim.make_pollers
BOTH_WINDOWS = pytest.mark.parametrize("payments_window", ["asked", "pay_period"])


@pytest.fixture
def payments_window() -> str:
    """What the simulated endpoint sums: the ``asked`` window unless a test says otherwise."""
    return "asked"


@pytest.fixture
def fixed_sim(clock: FixedClock, payments_window: str) -> Iterator[SimServer]:
    settings = SimulatorSettings(seed=7, uber_drivers=DRIVERS, uber_payments_window=payments_window)
    with serve_simulator(settings, clock) as server:
        yield server


PAYMENTS = "/v1/vehicle-suppliers/earners/payments"
DAY_MS = 24 * 3600 * 1000


def asked_windows(sent: RequestLog, clock: FixedClock) -> list[tuple[int, int]]:
    """The windows asked, but the probe of each run (in the future: see poll_payments)."""
    asked = [(int(s.params["start_time"]), int(s.params["end_time"])) for s in sent.to(PAYMENTS)]
    return [(start, end) for start, end in asked if start <= ms(clock.now())]


def earnings_by_driver(records: list[bytes]) -> Counter[str]:
    """Sum of the ``earnings`` amounts (amountE5) per driver over payment records (the
    groups without an amount, tolls refunded and cash collected, are not earnings)."""
    totals: Counter[str] = Counter()
    for raw in records:
        record = msgspec.json.decode(raw, type=UberPaymentRecord)
        payment = msgspec.json.decode(record.payment, type=UberEarnerPayment)
        for category in payment.paymentBreakdowns or []:
            if category.amount is None:  # refunds and payouts: not earnings (no amount)
                continue
            totals[payment.earnerInfo.uuid] += category.amount.e5()
    return totals


async def latest_records(pool: asyncpg.Pool, org_id: UUID, since_ms: int) -> list[bytes]:
    """The latest record of every payment entity whose window starts at ``since_ms`` or later."""
    latest: dict[str, bytes] = {}
    for event in await events_of(pool, org_id, "uber.payment.observed"):
        latest[event["entity_id"]] = event["record"]
    return [r for r in latest.values() if msgspec.json.decode(r)["start_time"] >= since_ms]


@BOTH_WINDOWS
async def test_payments_poll_appends_one_event_per_driver_and_period_and_nothing_on_repoll(
    make_pollers: PollersFactory,
    writer_pool: asyncpg.Pool,
    org_id: UUID,
    sent: RequestLog,
    clock: FixedClock,
) -> None:
    pollers = make_pollers()
    first = await pollers.payments()
    again = await pollers.payments()

    events = await events_of(writer_pool, org_id, "uber.payment.observed")
    assert first.appended > 0 and again.appended == 0
    assert len({e["entity_id"] for e in events}) == len(events) == first.appended
    windows = asked_windows(sent, clock)
    assert all(0 < end - start <= 3600 * 1000 for start, end in windows)
    assert {s.params["page_size"] for s in sent.to(PAYMENTS)} == {"50"}


async def test_payments_cursor_resumes_across_a_restart_without_duplicates(
    make_pollers: PollersFactory,
    writer_pool: asyncpg.Pool,
    org_id: UUID,
    clock: FixedClock,
    sent: RequestLog,
) -> None:
    await make_pollers().payments()
    [account] = [r["account_id"] for r in await writer_pool.fetch(
        "SELECT account_id FROM provider_accounts WHERE org_id = $1", org_id
    )]  # fmt: skip
    cursor = await load_cursor(writer_pool, org_id, "uber", "payments", account)
    # Into the next morning: whether anyone still drives late in the evening is the seed's luck.
    clock.advance(timedelta(hours=15))
    sent.clear()
    resumed = await make_pollers().payments()  # a new process: only the cursor remembers

    assert cursor == {"next_start_ms": ms(NOW.replace(minute=0, second=0)) - 3600 * 1000}
    assert asked_windows(sent, clock)[0][0] == cursor["next_start_ms"]
    events = await events_of(writer_pool, org_id, "uber.payment.observed")
    pairs = Counter((e["entity_id"], bytes(e["record_hash"])) for e in events)
    assert resumed.appended > 0 and max(pairs.values()) == 1  # no record appended twice


async def test_a_payments_gap_shorter_than_24_hours_loses_nothing(
    make_pollers: PollersFactory,
    writer_pool: asyncpg.Pool,
    org_id: UUID,
    clock: FixedClock,
    fixed_sim: SimServer,
) -> None:
    await make_pollers().payments()
    clock.advance(timedelta(hours=20))
    await make_pollers().payments()

    # From 3 hours before the gap to now, in one direct call (still inside the last 24 h).
    since = ms(NOW.replace(minute=0, second=0)) - 3 * 3600 * 1000
    window = Window(from_ms(since), clock.now().replace(microsecond=0))
    account = await _account(writer_pool, org_id)
    direct = [
        entry
        async for page in make_pollers.client().payment_pages(account, window)
        for entry in page.body.earnerPaymentBreakdowns or []
    ]
    expected = earnings_by_driver(
        [msgspec.json.encode(UberPaymentRecord(since, 0, entry, "asked")) for entry in direct]
    )
    stored = earnings_by_driver(await latest_records(writer_pool, org_id, since))
    assert expected and stored == expected


async def test_payments_catch_up_never_asks_before_24_hours_ago_and_warns(
    make_pollers: PollersFactory,
    clock: FixedClock,
    sent: RequestLog,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await make_pollers().payments()
    clock.advance(timedelta(hours=30))
    sent.clear()
    with caplog.at_level(logging.WARNING, logger="ingest.uber.poll_payments"):
        await make_pollers().payments()

    windows = asked_windows(sent, clock)
    assert windows and min(start for start, _ in windows) >= ms(clock.now()) - DAY_MS
    assert max(end for _, end in windows) == ms(clock.now().replace(microsecond=0))
    assert any("may be missing" in r.getMessage() for r in caplog.records)


@BOTH_WINDOWS
async def test_payments_survive_a_503_and_quarantine_a_malformed_entry(
    make_pollers: PollersFactory,
    writer_pool: asyncpg.Pool,
    org_id: UUID,
    fixed_sim: SimServer,
) -> None:
    pollers = make_pollers()
    await pollers.organizations()
    fixed_sim.chaos(fail_next=1, status=503, malformed_next=1)
    result = await pollers.payments()

    assert result.quarantined == 1
    assert result.appended == result.records - 1 > 0  # the rest of the page went in
    [row] = await writer_pool.fetch(
        "SELECT reason, resource FROM quarantine WHERE org_id = $1", org_id
    )
    assert "earnerInfo" in row["reason"] and row["resource"] == "payments"
    failed = await writer_pool.fetch(
        "SELECT 1 FROM provider_fetches WHERE org_id = $1 AND status = 503", org_id
    )
    assert len(failed) == 1 and len(make_pollers.sleep.waits) == 1


async def _account(pool: asyncpg.Pool, org_id: UUID) -> str:
    return str(
        await pool.fetchval("SELECT account_id FROM provider_accounts WHERE org_id = $1", org_id)
    )
