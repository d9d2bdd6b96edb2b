"""Bolt ingestion against the simulator over real HTTP: each resource, errors and chaos."""

from __future__ import annotations

import logging
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest

from contracts.bolt import BoltCompaniesData
from ingest.auth import ClientCredentials
from ingest.bolt.client import BoltClient, BoltRejected, BoltTransient, envelope_parser
from ingest.bolt.pollers import BoltPollers, BoltPollSettings
from ingest.bolt.setup import bolt_http
from ingest.errors import ProviderAuthError, ProviderRejected, ProviderUnavailable
from simulator import FixedClock
from tests.ingest.test_bolt_support import (
    COMPANY,
    DAY,
    DRIVERS,
    PollersFactory,
    RecordingSleep,
    client_for,
    events,
    serve_simulator,
    sim_settings,
    unix,
)
from tests.simserver import SimServer

pytest_plugins = ("tests.ingest.test_bolt_support",)  # its fixtures

# -- the envelope ------------------------------------------------------------------------


@pytest.mark.parametrize("code", [702, 498805, 498806, 498807, 498809, 498810])
def test_business_error_codes_are_rejections(code: int) -> None:
    body = msgspec.json.encode(
        {
            "code": code,
            "message": "INVALID",
            "data": None,
            "validation_errors": [{"property": "end_ts", "error": "range exceeds 31 days"}],
        }
    )
    with pytest.raises(BoltRejected) as info:
        envelope_parser(BoltCompaniesData)(body)
    assert isinstance(info.value, ProviderRejected) and info.value.code == code
    assert "end_ts: range exceeds 31 days" in str(info.value)


@pytest.mark.parametrize("code", [998, 999])
def test_transient_codes_are_unavailable_hence_retried(code: int) -> None:
    body = msgspec.json.encode({"code": code, "message": "CLIENT_TIMEOUT", "data": {}})
    with pytest.raises(BoltTransient) as info:
        envelope_parser(BoltCompaniesData)(body)
    assert isinstance(info.value, ProviderUnavailable)


def test_code_503_in_the_body_is_an_auth_error() -> None:
    body = msgspec.json.encode({"code": 503, "message": "NOT_AUTHORIZED", "data": None})
    with pytest.raises(ProviderAuthError):
        envelope_parser(BoltCompaniesData)(body)


# -- each resource -------------------------------------------------------------------------


async def test_companies_poll_makes_each_company_a_provider_account(
    pollers: BoltPollers, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    first = await pollers.companies()
    again = await pollers.companies()

    accounts = await writer_pool.fetch(
        "SELECT provider, account_id FROM provider_accounts WHERE org_id = $1", org_id
    )
    assert [(a["provider"], a["account_id"]) for a in accounts] == [("bolt", str(COMPANY))]
    assert (first.appended, again.appended) == (1, 0)
    [event] = await events(writer_pool, org_id, "bolt.company.observed")
    assert msgspec.json.decode(event["record"]) == {"company_id": COMPANY}


async def test_bolt_company_ids_restrict_polling_to_those_companies(
    writer_pool: asyncpg.Pool, org_id: UUID, clock: FixedClock, sleep: RecordingSleep
) -> None:
    with serve_simulator(sim_settings(bolt_companies=2), clock) as sim:
        http = bolt_http(sim.bolt_settings())
        try:
            client = client_for(http, sim, sleep)
            settings = BoltPollSettings(company_ids=(70002,))
            only = BoltPollers(writer_pool, client, org_id, settings, clock.now)
            result = await only.drivers()
        finally:
            await http.aclose()

    drivers = await events(writer_pool, org_id, "bolt.driver.observed")
    assert result.appended == DRIVERS // 2
    assert {d["account_id"] for d in drivers} == {"70002"}


async def test_drivers_and_vehicles_append_one_event_each_and_nothing_when_unchanged(
    pollers: BoltPollers, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    drivers, vehicles = await pollers.drivers(), await pollers.vehicles()
    again = (await pollers.drivers()).appended + (await pollers.vehicles()).appended

    assert (drivers.appended, vehicles.appended, again) == (DRIVERS, DRIVERS, 0)
    driver_events = await events(writer_pool, org_id, "bolt.driver.observed")
    vehicle_events = await events(writer_pool, org_id, "bolt.vehicle.observed")
    assert len({e["entity_id"] for e in driver_events}) == DRIVERS
    assert len({e["entity_id"] for e in vehicle_events}) == DRIVERS
    assert {e["account_id"] for e in driver_events + vehicle_events} == {str(COMPANY)}


async def test_a_changed_driver_appends_exactly_one_event(
    pollers: BoltPollers, bolt_sim: SimServer, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await pollers.drivers()
    changed = bolt_sim.control("/_sim/bolt/drivers/mutate", {"count": 2})["changed"]
    result = await pollers.drivers()

    driver_events = await events(writer_pool, org_id, "bolt.driver.observed")
    assert result.appended == 2
    assert sorted(e["entity_id"] for e in driver_events[-2:]) == sorted(changed)


async def test_orders_and_state_logs_append_each_record_once(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    pollers = make_pollers(page_size=200, backfill_s=7 * DAY)
    orders, logs = await pollers.orders(), await pollers.state_logs()
    again = await pollers.orders()

    order_events = await events(writer_pool, org_id, "bolt.order.observed")
    log_events = await events(writer_pool, org_id, "bolt.state_log.observed")
    assert orders.appended == len(order_events) > 0 and orders.calls >= 2
    assert logs.appended == len(log_events) > 200  # several pages of 200
    assert again.appended == 0 and 0 < again.records < orders.records  # from the cursor on
    assert len({e["entity_id"] for e in order_events}) == len(order_events)
    assert len({e["entity_id"] for e in log_events}) == len(log_events)
    _driver, created, state = log_events[0]["entity_id"].split(":")
    assert state in {"inactive", "waiting_orders", "has_order"} and int(created) > 0


async def test_recent_orders_read_the_last_hours_and_the_full_poll_appends_only_the_rest(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID, clock: FixedClock
) -> None:
    pollers = make_pollers(page_size=200, backfill_s=7 * DAY, recent_orders_s=6 * 3600)
    recent = await pollers.recent_orders()
    full = await pollers.orders()
    again = await pollers.recent_orders()

    order_events = await events(writer_pool, org_id, "bolt.order.observed")
    created = [msgspec.json.decode(e["record"])["order_created_timestamp"] for e in order_events]
    recent_created = created[: recent.appended]
    assert recent.appended > 0 and full.appended > 0 and again.appended == 0
    assert min(recent_created) >= unix(clock.now()) - 6 * 3600  # the last 6 hours only
    assert full.records >= full.appended + recent.appended  # it read them too, and no twin
    assert len({e["entity_id"] for e in order_events}) == len(order_events)


# -- business errors, retries, chaos ---------------------------------------------------------


async def test_a_company_not_allowed_is_rejected_and_not_retried(
    bolt_client: BoltClient, sleep: RecordingSleep, clock: FixedClock
) -> None:
    end = unix(clock.now())
    with pytest.raises(ProviderRejected) as info:
        await anext(bolt_client.drivers(99999, end - DAY, end))
    assert isinstance(info.value, BoltRejected) and info.value.code == 498810
    assert sleep.waits == []


async def test_a_transient_999_is_retried_and_the_poll_completes(
    pollers: BoltPollers, bolt_sim: SimServer, sleep: RecordingSleep
) -> None:
    await pollers.companies()
    bolt_sim.chaos_bolt(transient_next=1)
    result = await pollers.drivers()
    assert result.appended == DRIVERS
    assert len(sleep.waits) == 1


async def test_orders_503_is_retried_and_recorded(
    pollers: BoltPollers,
    bolt_sim: SimServer,
    writer_pool: asyncpg.Pool,
    org_id: UUID,
    sleep: RecordingSleep,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await pollers.companies()
    bolt_sim.chaos_bolt(fail_next=2, status=503)
    with caplog.at_level(logging.WARNING, logger="ingest.http"):
        result = await pollers.orders()

    assert result.appended > 0 and len(sleep.waits) == 2
    failed = await writer_pool.fetch(
        "SELECT params FROM provider_fetches WHERE org_id = $1 AND status = 503", org_id
    )
    assert len(failed) == 2
    assert all(b'"company_ids"' in row["params"].encode() for row in failed)


async def test_a_malformed_order_is_quarantined_and_the_rest_of_the_page_ingested(
    pollers: BoltPollers, bolt_sim: SimServer, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await pollers.companies()
    bolt_sim.chaos_bolt(malformed_next=1)
    result = await pollers.orders()

    assert result.quarantined == 1
    [row] = await writer_pool.fetch(
        "SELECT resource, reason, raw, fetch_id FROM quarantine WHERE org_id = $1", org_id
    )
    assert row["resource"] == "orders" and "order_reference" in row["reason"]
    assert b"driver_uuid" in row["raw"] and row["fetch_id"] is not None
    # the damaged order is whole on the next run (the price-review pass or the next poll)
    assert (await pollers.orders()).quarantined == 0


async def test_token_expired_mid_pagination_is_minted_again_once(
    bolt_sim: SimServer, bolt_https: httpx.AsyncClient, sleep: RecordingSleep, clock: FixedClock
) -> None:
    client = client_for(bolt_https, bolt_sim, sleep, page_size=100)
    end = unix(clock.now())
    pages = client.orders(COMPANY, end - 14 * DAY, end)
    first = await anext(pages)
    bolt_sim.control("/_sim/bolt/tokens/expire", {})
    rest = [page async for page in pages]

    assert isinstance(bolt_https.auth, ClientCredentials)
    assert bolt_https.auth.mints == 2
    assert len(rest) >= 1 and rest[-1].window_done
    seen = [o for p in [first, *rest] for o in p.body.orders or []]
    assert len(seen) == first.body.total_orders
