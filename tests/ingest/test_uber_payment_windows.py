"""Uber payments are right whatever the endpoint does with the asked window.

Uber documents "the last 24 hours"; one live integration reports that earners/payments
answers the current pay period whatever window is asked. The simulator offers both
(``uber_payments_window``) and every test here runs under both.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import msgspec
import pytest

from contracts.uber import UberEarnerPayment
from contracts.weeks import WeekRules
from core.config import UBER_DEFAULT_SCOPES
from ingest.http import ProviderHttp
from ingest.main import uber_http
from ingest.uber.client import UberClient
from ingest.uber.windows import Window, pay_week
from projector.projections.uber_money import e5_to_minor
from projector.projections.uber_payments import UberPaymentsProjection
from projector.runner import ProjectionRunner
from simulator import FixedClock, SimulatorSettings
from tests.ingest import test_uber_windows as uber_sim
from tests.ingest.test_uber_windows import DRIVERS, NOW, PollersFactory, events_of
from tests.simserver import SimServer, serve_simulator

clock, sent = uber_sim.clock, uber_sim.sent
fixed_http, make_pollers = uber_sim.fixed_http, uber_sim.make_pollers

WINDOW_BEHAVIOURS = ["asked", "pay_period"]


@pytest.fixture(params=WINDOW_BEHAVIOURS)
def fixed_sim(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[SimServer]:
    """The shared fixed-clock simulator, once per behaviour of the payments endpoint."""
    settings = SimulatorSettings(seed=7, uber_drivers=DRIVERS, uber_payments_window=request.param)
    with serve_simulator(settings, clock) as server:
        yield server


async def truth(clock: FixedClock, account: str, window: Window) -> Counter[str]:
    """Each driver's pay over ``window`` in minor units, from a simulator of the same world
    that honours windows (the window is within the last 24 hours, so nothing is clamped)."""
    settings = SimulatorSettings(seed=7, uber_drivers=DRIVERS)
    with serve_simulator(settings, clock) as server:
        auth = dataclasses.replace(server.uber_settings(), scopes=UBER_DEFAULT_SCOPES)
        async with uber_http(auth) as http:
            client = UberClient(ProviderHttp("uber", http), server.url)
            paid: Counter[str] = Counter()
            async for page in client.payment_pages(account, window):
                for entry in page.body.earnerPaymentBreakdowns or []:
                    paid.update(_minor_by_driver(bytes(entry)))
    return paid


def _minor_by_driver(raw: bytes) -> dict[str, int]:
    entry = msgspec.json.decode(raw, type=UberEarnerPayment)
    amounts = [c.amount for c in entry.paymentBreakdowns or [] if c.amount is not None]
    return {entry.earnerInfo.uuid: sum(e5_to_minor(a.e5(), a.currencyCode) for a in amounts)}


async def stored_since(pool: asyncpg.Pool, org_id: UUID, since: datetime) -> Counter[str]:
    """Each driver's sum of the read model's payment rows starting at ``since`` or later."""
    projection = UberPaymentsProjection(f"uber_payments-{uuid.uuid4().hex[:8]}")
    await ProjectionRunner(pool, None, projection).catch_up()
    rows = await pool.fetch(
        "SELECT driver_id, sum(amount_minor) AS total FROM driver_payments "
        "WHERE org_id = $1 AND provider = 'uber' AND window_start >= $2 GROUP BY driver_id",
        org_id,
        since,
    )
    return Counter({r["driver_id"]: r["total"] for r in rows if r["total"]})


async def test_overlapping_and_repeated_polls_count_each_payment_once_whatever_the_window(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID, clock: FixedClock
) -> None:
    await make_pollers().payments()
    clock.advance(timedelta(minutes=30))  # the boundary bucket is asked again
    await make_pollers().payments()
    await make_pollers().payments()  # the very same windows again
    clock.advance(timedelta(hours=2, minutes=10))
    await make_pollers().payments()

    week = pay_week(clock.now(), WeekRules())
    account = await _account(writer_pool, org_id)
    expected = await truth(clock, account, Window(week.start, clock.now().replace(microsecond=0)))
    assert week.start == datetime(2025, 3, 10, 3, tzinfo=UTC) < NOW  # Monday 04:00 in Paris
    assert expected and await stored_since(writer_pool, org_id, week.start) == +expected


async def test_a_repoll_with_nothing_new_appends_nothing_whatever_the_window(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    first = await make_pollers().payments()
    again = await make_pollers().payments()

    events = await events_of(writer_pool, org_id, "uber.payment.observed")
    assert first.appended > 0 and again.appended == 0
    assert len({e["entity_id"] for e in events}) == len(events)


async def _account(pool: asyncpg.Pool, org_id: UUID) -> str:
    return str(
        await pool.fetchval("SELECT account_id FROM provider_accounts WHERE org_id = $1", org_id)
    )
