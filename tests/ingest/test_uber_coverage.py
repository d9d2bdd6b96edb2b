"""Uber coverage: what a poll claims is what it fetched whole, so a failed poll leaves a gap."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
import pytest
from prometheus_client import REGISTRY

from eventlog.coverage import Span, coverage_of, oldest_payments_gaps
from ingest.coverage import export_gauges
from ingest.errors import ProviderError
from simulator import FixedClock
from tests.ingest import test_uber_windows as uber_sim
from tests.ingest.test_uber_windows import NOW, PollersFactory
from tests.simserver import SimServer

clock, fixed_sim, sent = uber_sim.clock, uber_sim.fixed_sim, uber_sim.sent
fixed_http, make_pollers = uber_sim.fixed_http, uber_sim.make_pollers

AT = NOW.replace(microsecond=0)
FLOOR = AT - timedelta(hours=24) + timedelta(minutes=10)  # the first run's start


async def payments(pool: asyncpg.Pool, org_id: UUID, end: datetime) -> tuple[list[Span], ...]:
    """Payments' covered spans and gaps from the first run's start to ``end``."""
    found = [c for c in await coverage_of(pool, org_id, FLOOR, end) if c.resource == "payments"]
    return found[0].covered, found[0].gaps


async def test_a_payments_poll_covers_from_its_start_to_now_without_a_gap(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await make_pollers().payments()

    covered, gaps = await payments(writer_pool, org_id, AT)
    assert (covered, gaps) == ([(FLOOR, AT)], [])


async def test_a_failed_payments_poll_leaves_a_gap_until_a_later_poll_fills_it(
    make_pollers: PollersFactory,
    writer_pool: asyncpg.Pool,
    org_id: UUID,
    clock: FixedClock,
    fixed_sim: SimServer,
) -> None:
    await make_pollers().payments()
    clock.advance(timedelta(hours=3))
    later = clock.now().replace(microsecond=0)
    # The run's first call is the window probe (docs/MONEY.md), which reads a refusal as an
    # endpoint honouring windows: the second, the first bucket, is the one that fails.
    fixed_sim.chaos(fail_next=2, status=400)
    with pytest.raises(ProviderError):
        await make_pollers().payments()

    _, gaps = await payments(writer_pool, org_id, later)
    horizon = await oldest_payments_gaps(writer_pool, org_id, later)
    gap_age = await exported_gap_age(writer_pool, org_id, later)
    assert gaps == [(AT, later)]
    assert list(horizon.values()) == [AT]
    assert gap_age == (later - AT).total_seconds()  # on ingest's clock, the simulator's

    await make_pollers().payments()
    covered, gaps = await payments(writer_pool, org_id, later)
    horizon = await oldest_payments_gaps(writer_pool, org_id, later)
    assert (covered, gaps) == ([(FLOOR, later)], [])
    assert list(horizon.values()) == [None]
    assert await exported_gap_age(writer_pool, org_id, later) == 0.0


async def exported_gap_age(pool: asyncpg.Pool, org_id: UUID, now: datetime) -> float | None:
    """The payments-gap gauge as Prometheus would scrape it at ``now``, after ingest (on the
    same clock) refreshed it."""
    await export_gauges(pool, org_id, "uber", "payments", lambda: now)
    [account] = await pool.fetch(
        "SELECT DISTINCT account_id FROM coverage WHERE org_id = $1 AND resource = 'payments'",
        org_id,
    )
    labels = {"org": str(org_id), "account": account["account_id"]}
    return REGISTRY.get_sample_value("fleet_payments_gap_age_seconds", labels)


async def test_daily_metrics_claim_the_days_asked_up_to_now_only(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await make_pollers(metrics_backfill_days=3).daily_metrics()

    [metrics] = [
        c for c in await coverage_of(writer_pool, org_id, AT - timedelta(days=5), AT)
        if c.resource == "daily_metrics"
    ]  # fmt: skip
    # Paris midnight two days before (a Saturday, UTC+1) to now: today is not over yet
    assert metrics.covered == [(AT.replace(hour=23, minute=0, second=0) - timedelta(days=3), AT)]
    assert metrics.newest == AT


async def test_transactions_claim_their_15_minute_windows_back_to_back(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    result = await make_pollers().transactions()

    [found] = [
        c for c in await coverage_of(writer_pool, org_id, FLOOR, AT)
        if c.resource == "transactions"
    ]  # fmt: skip
    assert result.calls >= 24 * 4 - 1
    assert (found.covered, found.gaps) == ([(FLOOR, AT)], [])
    assert found.claims == result.calls  # one claim per window, each window one page here


async def test_uber_listings_claim_the_instant_they_were_whole(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await make_pollers().drivers()  # discovers the Uber orgs first: a listing too

    claims = await writer_pool.fetch(
        "SELECT resource, account_id, lower(covered) = upper(covered) AS instant "
        "FROM coverage WHERE org_id = $1 ORDER BY resource",
        org_id,
    )
    assert [(c["resource"], c["instant"]) for c in claims] == [
        ("drivers", True),
        ("organizations", True),
    ]
    assert claims[1]["account_id"] == "" and claims[0]["account_id"] != ""
