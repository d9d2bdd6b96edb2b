"""Bolt time windows: 31-day splitting, cursors across restarts, catch-up, price reviews."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from uuid import UUID

import asyncpg
import msgspec

from ingest.bolt.windows import MAX_WINDOW_S, Window, split
from ingest.cursors import load_cursor
from simulator import FixedClock
from tests.ingest.test_bolt_support import (
    COMPANY,
    DAY,
    PollersFactory,
    events,
    fetch_params,
    unix,
)

pytest_plugins = ("tests.ingest.test_bolt_support",)  # its fixtures

ORDERS = "getFleetOrders"
STATE_LOGS = "getFleetStateLogs"


def windows_of(params: list[dict[str, object]], filter_type: str | None = None) -> list[Window]:
    """The distinct windows of recorded calls (one per window: its first page)."""
    seen = [
        Window(int(str(p["start_ts"])), int(str(p["end_ts"])))
        for p in params
        if p["offset"] == 0
        and (filter_type is None or p.get("time_range_filter_type") == filter_type)
    ]
    return seen


def test_split_cuts_a_range_into_consecutive_windows_of_at_most_31_days() -> None:
    start = 1_700_000_000
    windows = split(start, start + 70 * DAY)
    assert windows == [
        Window(start, start + 31 * DAY),
        Window(start + 31 * DAY, start + 62 * DAY),
        Window(start + 62 * DAY, start + 70 * DAY),
    ]
    assert all(w.start < w.end and w.end - w.start <= MAX_WINDOW_S for w in windows)
    assert split(start, start) == [] and split(start, start - 1) == []


async def test_first_orders_poll_walks_the_backfill_in_31_day_windows(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID, clock: FixedClock
) -> None:
    now = unix(clock.now())
    await make_pollers(backfill_s=35 * DAY).orders()

    params = await fetch_params(writer_pool, org_id, ORDERS)
    assert windows_of(params, "created") == [
        Window(now - 35 * DAY, now - 4 * DAY),
        Window(now - 4 * DAY, now),
    ]
    assert windows_of(params, "price_review") == [Window(now - 7 * DAY, now)]
    assert all(p["company_ids"] == [COMPANY] and "company_id" not in p for p in params)
    assert all(p["limit"] == 1000 for p in params)


async def test_vehicles_are_paged_by_100_and_drivers_by_1000(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID, clock: FixedClock
) -> None:
    pollers = make_pollers()
    await pollers.drivers()
    await pollers.vehicles()
    now = unix(clock.now())
    [vehicles] = await fetch_params(writer_pool, org_id, "getVehicles")
    [drivers] = await fetch_params(writer_pool, org_id, "getDrivers")
    assert vehicles == {
        "company_id": COMPANY,
        "start_ts": now - 31 * DAY,
        "end_ts": now,
        "offset": 0,
        "limit": 100,
    }
    assert drivers["limit"] == 1000 and drivers["start_ts"] < drivers["end_ts"]


async def test_orders_cursor_resumes_after_a_restart_without_duplicates(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID, clock: FixedClock
) -> None:
    first_run_at = unix(clock.now())
    await make_pollers(backfill_s=3 * DAY).orders()
    cursor = await load_cursor(writer_pool, org_id, "bolt", "orders", str(COMPANY))
    clock.advance(timedelta(hours=6))

    await make_pollers(backfill_s=3 * DAY).orders()  # a new process: state from Postgres only

    assert cursor == {"until": first_run_at}
    params = await fetch_params(writer_pool, org_id, ORDERS)
    resumed = windows_of(params, "created")[-1]
    assert resumed == Window(first_run_at - DAY, first_run_at + 6 * 3600)  # 24 h overlap
    order_events = await events(writer_pool, org_id, "bolt.order.observed")
    same_record_twice = Counter((e["entity_id"], e["record_hash"]) for e in order_events)
    assert order_events and max(same_record_twice.values()) == 1


async def test_state_logs_catch_up_after_downtime_in_31_day_windows(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID, clock: FixedClock
) -> None:
    await make_pollers(backfill_s=DAY).state_logs()
    stopped_at = unix(clock.now())
    clock.advance(timedelta(days=33))  # the ingest process was down for 33 days

    result = await make_pollers(backfill_s=DAY).state_logs()

    now = unix(clock.now())
    start = stopped_at - 3600  # the cursor less the state logs' 1 h overlap
    params = await fetch_params(writer_pool, org_id, STATE_LOGS)
    assert windows_of(params)[1:] == [
        Window(start, start + 31 * DAY),
        Window(start + 31 * DAY, now),
    ]
    cursor = await load_cursor(writer_pool, org_id, "bolt", "state_logs", str(COMPANY))
    assert cursor == {"until": now}
    assert result.appended > 0
    log_events = await events(writer_pool, org_id, "bolt.state_log.observed")
    assert len({e["entity_id"] for e in log_events}) == len(log_events)


async def test_a_price_review_appends_exactly_one_event_per_reviewed_order(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID, clock: FixedClock
) -> None:
    pollers = make_pollers(backfill_s=2 * DAY)
    await pollers.orders()
    before = await events(writer_pool, org_id, "bolt.order.observed")
    awaiting = {
        e["entity_id"]
        for e in before
        if msgspec.json.decode(e["record"])["payment_confirmed_timestamp"] is None
        and msgspec.json.decode(e["record"])["order_status"] == "finished"
    }
    assert awaiting  # the chosen time has finished orders whose fare is not yet reviewed

    clock.advance(timedelta(hours=1))
    await pollers.orders()
    again = await pollers.orders()

    after = await events(writer_pool, org_id, "bolt.order.observed")
    per_order = Counter(e["entity_id"] for e in after)
    old = {e["entity_id"] for e in before}
    assert {ref for ref in old if per_order[ref] == 2} == awaiting
    assert all(per_order[ref] == 1 for ref in old - awaiting)
    reviewed = [msgspec.json.decode(e["record"]) for e in after[len(before) :]]
    assert all(
        r["payment_confirmed_timestamp"] is not None
        for r in reviewed
        if r["order_reference"] in awaiting
    )
    assert again.appended == 0


def test_a_window_that_quarantined_a_record_holds_the_cursor_a_few_runs_only() -> None:
    from ingest.bolt.pollers import MAX_WINDOW_RETRIES, _Hold

    clean = _Hold(retries=0)
    clean.see(100, rejected=False)
    assert clean.cursor(200) == {"until": 200}

    held = _Hold(retries=0)
    held.see(100, rejected=True)
    held.see(200, rejected=True)  # the first window that quarantined is where it holds
    assert held.cursor(300) == {"until": 100, "retries": 1}

    given_up = _Hold(retries=MAX_WINDOW_RETRIES)
    given_up.see(100, rejected=True)  # the record stays in quarantine; the cursor moves on
    assert given_up.cursor(300) == {"until": 300}
