"""Uber vehicles, driver status, daily metrics and transactions: simulator → poller → log."""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import asyncpg
import pytest

from core.config import UBER_DEFAULT_SCOPES, ConfigError
from ingest.http import ProviderHttp
from ingest.main import uber_http
from ingest.uber.client import UberClient
from ingest.uber.context import UberPollSettings
from ingest.uber.pollers import UberOrgNotReached, UberPollers
from ingest.uber.setup import uber_client, uber_poll_settings
from simulator import FixedClock, SimulatorSettings
from tests.ingest import test_uber_windows as uber_sim
from tests.ingest.test_uber_windows import (
    DRIVERS,
    NOW,
    PollersFactory,
    RequestLog,
    events_of,
    ms,
)
from tests.simserver import SimServer, serve_simulator

FIFTEEN_MIN_MS = 15 * 60 * 1000

# The fixed-clock simulator fixtures, shared with the other test_uber_* modules.
clock, fixed_sim, sent = uber_sim.clock, uber_sim.fixed_sim, uber_sim.sent
fixed_http, make_pollers = uber_sim.fixed_http, uber_sim.make_pollers


async def test_vehicles_poll_appends_one_event_per_vehicle_and_nothing_on_repoll(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID, sent: RequestLog
) -> None:
    pollers = make_pollers()
    first = await pollers.vehicles()
    again = await pollers.vehicles()

    events = await events_of(writer_pool, org_id, "uber.vehicle.observed")
    assert first.appended == DRIVERS and again.appended == 0 and again.records == DRIVERS
    assert len({e["entity_id"] for e in events}) == len(events) == DRIVERS
    assert {s.params["page_size"] for s in sent.to("/v2/vehicle-suppliers/vehicles")} == {"1000"}


async def test_driver_status_poll_appends_only_statuses_that_changed(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID, clock: FixedClock,
    sent: RequestLog,
) -> None:  # fmt: skip
    pollers = make_pollers()
    first = await pollers.driver_status()
    again = await pollers.driver_status()
    clock.advance(timedelta(hours=3))
    later = await pollers.driver_status()

    assert first.appended == DRIVERS and again.appended == 0
    assert 0 < later.appended <= DRIVERS
    events = await events_of(writer_pool, org_id, "uber.driver_status.observed")
    assert len(events) == DRIVERS + later.appended
    assert all(s.params["page_size"] == "100" for s in sent.to("/drivers/actions"))


async def test_daily_metrics_first_run_reads_31_days_then_each_run_the_last_3(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID, sent: RequestLog
) -> None:
    pollers = make_pollers()
    first = await pollers.daily_metrics()
    sent.clear()
    again = await pollers.daily_metrics()

    events = await events_of(writer_pool, org_id, "uber.daily_metrics.observed")
    days = sorted({e["entity_id"].split(":")[1] for e in events})
    assert first.appended == 31 * DRIVERS and again.appended == 0
    assert days == [(date(2025, 2, 8) + timedelta(days=i)).isoformat() for i in range(31)]
    assert b'"day":"2025-03-10"' in events[-1]["record"] and b'"row":{' in events[-1]["record"]
    asked = [s.body["reportRequests"][0]["timeRanges"] for s in sent.to("/analytics-data/query")]
    assert [len(ranges) for ranges in asked] == [3]  # later runs: the last 3 days only


async def test_daily_metrics_catch_up_after_downtime_in_windows_of_at_most_8_days(
    make_pollers: PollersFactory,
    writer_pool: asyncpg.Pool,
    org_id: UUID,
    clock: FixedClock,
    sent: RequestLog,
) -> None:
    await make_pollers(metrics_backfill_days=3).daily_metrics()
    clock.advance(timedelta(days=12))
    sent.clear()
    await make_pollers(metrics_backfill_days=3).daily_metrics()  # a restarted process

    asked = [s.body["reportRequests"][0]["timeRanges"] for s in sent.to("/analytics-data/query")]
    assert len(asked) == 2
    for ranges in asked:
        assert ranges[-1]["endsAt"] - ranges[0]["startsAt"] <= 8 * 86400 * 1000
    assert sent.to("/analytics-data/query")[0].body["orgId"]["orgUuid"]
    events = await events_of(writer_pool, org_id, "uber.daily_metrics.observed")
    days = {date.fromisoformat(e["entity_id"].split(":")[1]) for e in events}
    assert days == {date(2025, 3, 8) + timedelta(days=i) for i in range(15)}  # 8th..22nd


async def test_transactions_use_15_minute_windows_from_the_cursor_up_to_now(
    make_pollers: PollersFactory,
    writer_pool: asyncpg.Pool,
    org_id: UUID,
    clock: FixedClock,
    sent: RequestLog,
) -> None:
    settings = {"transactions_first_lookback": timedelta(hours=6)}
    first = await make_pollers(**settings).transactions()
    clock.advance(timedelta(minutes=40))
    sent.clear()
    later = await make_pollers(**settings).transactions()

    windows = [_window(s.body) for s in sent.to("/vehicle-suppliers/transactions")]
    now_ms = ms(NOW.replace(microsecond=0))
    assert windows[0][0] == now_ms - 5 * 60 * 1000  # the cursor trails now by the lag
    assert windows[-1][1] == now_ms + 40 * 60 * 1000
    assert all(0 < end - start <= FIFTEEN_MIN_MS for start, end in windows)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))
    events = await events_of(writer_pool, org_id, "uber.transaction.observed")
    assert first.appended > 0 and len(events) == first.appended + later.appended
    assert len({e["entity_id"] for e in events}) == len(events)  # the overlap appended nothing


async def test_transactions_after_a_day_of_downtime_resume_within_the_last_24_hours(
    make_pollers: PollersFactory,
    clock: FixedClock,
    sent: RequestLog,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await make_pollers(transactions_first_lookback=timedelta(minutes=30)).transactions()
    clock.advance(timedelta(hours=30))
    sent.clear()
    with caplog.at_level(logging.WARNING, logger="ingest.uber.poll_transactions"):
        await make_pollers().transactions()

    windows = [_window(s.body) for s in sent.to("/vehicle-suppliers/transactions")]
    oldest_allowed = ms(clock.now()) - 24 * 3600 * 1000
    assert windows and min(start for start, _ in windows) >= oldest_allowed
    assert any("transactions between" in r.getMessage() for r in caplog.records)


async def test_transactions_are_paced_at_one_request_per_second(
    fixed_sim: SimServer, writer_pool: asyncpg.Pool, org_id: UUID, clock: FixedClock
) -> None:
    settings = dataclasses.replace(fixed_sim.uber_settings(), scopes=UBER_DEFAULT_SCOPES)
    http = uber_http(settings)
    try:
        client = uber_client(http, settings)
        pollers = UberPollers(
            writer_pool, client, org_id, now=clock.now,
            settings=UberPollSettings(transactions_first_lookback=timedelta(minutes=45)),
        )  # fmt: skip
        started = datetime.now(UTC)
        await pollers.transactions()
        elapsed = datetime.now(UTC) - started
    finally:
        await http.aclose()
    assert elapsed >= timedelta(seconds=1.9)  # 3 windows: two waits of about a second


def _window(body: dict[str, object]) -> tuple[int, int]:
    [time_range] = body["filters"]  # type: ignore[misc]
    assert time_range["field"] == "timeRange"
    start, end = time_range["value"]
    assert isinstance(start, str) and isinstance(end, str)  # strings of epoch ms
    return int(start), int(end)


def test_metrics_backfill_is_31_days_unless_set_and_never_beyond_the_catch_up_limit() -> None:
    assert uber_poll_settings({}).metrics_backfill_days == 31
    assert uber_poll_settings({"UBER_METRICS_BACKFILL_DAYS": "7"}).metrics_backfill_days == 7
    for bad in ("0", "32"):
        with pytest.raises(ConfigError, match="UBER_METRICS_BACKFILL_DAYS"):
            uber_poll_settings({"UBER_METRICS_BACKFILL_DAYS": bad})


def test_reports_catch_up_7_days_unless_set_and_between_1_and_31() -> None:
    assert uber_poll_settings({}).reports_catch_up_days == 7
    assert uber_poll_settings({"UBER_REPORTS_CATCH_UP_DAYS": "31"}).reports_catch_up_days == 31
    for bad in ("0", "32", "a week"):
        with pytest.raises(ConfigError, match="UBER_REPORTS_CATCH_UP_DAYS"):
            uber_poll_settings({"UBER_REPORTS_CATCH_UP_DAYS": bad})


@pytest.fixture
async def two_org_pollers(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> AsyncIterator[Callable[[str | None], UberPollers]]:
    """Pollers against a simulator whose credentials reach two Uber orgs."""
    with serve_simulator(SimulatorSettings(seed=7, uber_orgs=2, uber_drivers=10)) as sim:
        http = uber_http(sim.uber_settings())
        try:
            yield lambda only: UberPollers(
                writer_pool, UberClient(ProviderHttp("uber", http), sim.url), org_id,
                settings=UberPollSettings(only_org=only),
            )  # fmt: skip
        finally:
            await http.aclose()


async def test_uber_default_org_restricts_polling_to_that_org(
    two_org_pollers: Callable[[str | None], UberPollers], writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await two_org_pollers(None).organizations()
    orgs = [r["account_id"] for r in await writer_pool.fetch(
        "SELECT account_id FROM provider_accounts WHERE org_id = $1 ORDER BY 1", org_id
    )]  # fmt: skip
    assert len(orgs) == 2

    await two_org_pollers(orgs[1]).drivers()

    polled = await writer_pool.fetch(
        "SELECT DISTINCT account_id FROM event_log WHERE org_id = $1 AND event_type = $2",
        org_id, "uber.driver.observed",
    )  # fmt: skip
    assert [r["account_id"] for r in polled] == [orgs[1]]


async def test_an_uber_default_org_the_credentials_do_not_reach_fails_the_poll_saying_so(
    two_org_pollers: Callable[[str | None], UberPollers], writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    with pytest.raises(UberOrgNotReached, match="UBER_DEFAULT_ORG_ID not-ours is not among"):
        await two_org_pollers("not-ours").drivers()
    appended = await writer_pool.fetchval(
        "SELECT count(*) FROM event_log WHERE org_id = $1 AND event_type = $2",
        org_id, "uber.driver.observed",
    )  # fmt: skip
    assert appended == 0
