"""Uber's asynchronous reports, end to end: simulator over HTTP, real Postgres, the projection.

The simulator runs on a fixed clock that the pollers read too (21:00 in Paris on Monday
10 March 2025: "yesterday" is Sunday 9 March). Reports complete at once (delay 0) unless a
test says otherwise.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest

from contracts.uber import REPORT_OBSERVED, UberReportRecord
from contracts.uber_report_rows import PAYMENT_ORDER_ROW_OBSERVED
from core.config import UBER_DEFAULT_SCOPES
from eventlog.store import read_after
from ingest.cursors import save_cursor
from ingest.errors import ProviderRateLimited
from ingest.http import ProviderHttp, RetryPolicy
from ingest.main import uber_http
from ingest.uber.client import UberClient
from ingest.uber.context import UberPollSettings
from ingest.uber.pollers import UberPollers
from ingest.uber.reports_client import UberReportsClient, plain_download_client
from projector.projections.uber_reports import UberReportsProjection
from simulator import FixedClock, SimulatorSettings
from tests.simserver import SimServer, serve_simulator

NOW = datetime(2025, 3, 10, 20, 0, 7, tzinfo=UTC)
YESTERDAY_START = datetime(2025, 3, 8, 23, 0, tzinfo=UTC)  # Paris midnight, 9 March
YESTERDAY_END = datetime(2025, 3, 9, 23, 0, tzinfo=UTC)
DRIVERS = 25
REPORTS = "/v1/vehicle-suppliers/suppliers/{org}/reports"


class NoSleep:
    """Stands in for asyncio.sleep between retries: remembers each wait, waits for none."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def report_sim(clock: FixedClock, **overrides: Any) -> Any:
    values: dict[str, Any] = {"seed": 7, "uber_drivers": DRIVERS, "uber_report_delay_s": 0}
    return serve_simulator(SimulatorSettings(**{**values, **overrides}), clock)


@pytest.fixture
def sim(clock: FixedClock) -> Iterator[SimServer]:
    with report_sim(clock) as server:
        yield server


@pytest.fixture
async def http(sim: SimServer) -> AsyncIterator[httpx.AsyncClient]:
    client = uber_http(dataclasses.replace(sim.uber_settings(), scopes=UBER_DEFAULT_SCOPES))
    yield client
    await client.aclose()


Hook = Callable[[httpx.Request], Any]


def make_pollers(
    pool: asyncpg.Pool,
    http: httpx.AsyncClient,
    sim: SimServer,
    org_id: UUID,
    clock: FixedClock,
    sleep: NoSleep,
    download_hook: Hook | None = None,
) -> UberPollers:
    provider = ProviderHttp("uber", http, retry=RetryPolicy(attempts=3, base_s=0.01), sleep=sleep)

    def download_client(params: Mapping[str, str]) -> httpx.AsyncClient:
        client = plain_download_client(params)
        if download_hook is not None:
            client.event_hooks["request"].append(download_hook)
        return client

    reports = UberReportsClient(
        provider, sim.url, download_client=download_client, sleep=sleep,
        download_retry=RetryPolicy(attempts=2, base_s=0.01),
    )  # fmt: skip
    settings = UberPollSettings(
        reports_poll_first=timedelta(milliseconds=10), reports_poll_max=timedelta(seconds=1)
    )
    client = UberClient(provider, sim.url, reports=reports)
    return UberPollers(pool, client, org_id, now=clock.now, settings=settings)


@pytest.fixture
def pollers(
    writer_pool: asyncpg.Pool, http: httpx.AsyncClient, sim: SimServer, org_id: UUID,
    clock: FixedClock,
) -> UberPollers:  # fmt: skip
    return make_pollers(writer_pool, http, sim, org_id, clock, NoSleep())


async def report_events(pool: asyncpg.Pool, org_id: UUID) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT position, entity_id, record, fetch_id FROM event_log "
        "WHERE org_id = $1 AND event_type = $2 ORDER BY position",
        org_id,
        REPORT_OBSERVED,
    )


async def project_reports(pool: asyncpg.Pool, org_id: UUID) -> list[asyncpg.Record]:
    """Apply the tenant's report events to ``uber_reports`` and return its rows."""
    async with pool.acquire() as conn, conn.transaction():
        for event in await report_events(pool, org_id):
            envelopes = await read_after(conn, event["position"] - 1, 1)
            await UberReportsProjection().apply(conn, envelopes)
    return await pool.fetch("SELECT * FROM uber_reports WHERE org_id = $1", org_id)


async def calls(pool: asyncpg.Pool, org_id: UUID) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT f.fetch_id, f.method, f.endpoint, f.params::text AS params, f.status, f.error, "
        "r.body FROM provider_fetches f LEFT JOIN provider_responses r "
        "ON r.content_hash = f.response_hash WHERE f.org_id = $1 ORDER BY f.fetch_id",
        org_id,
    )


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


async def test_the_daily_report_is_generated_polled_linked_downloaded_and_projected(
    pollers: UberPollers, sim: SimServer, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    result = await pollers.reports()

    events = await report_events(writer_pool, org_id)
    assert len(events) == 1
    record = msgspec.json.decode(events[0]["record"], type=UberReportRecord)
    assert result.appended == 1 + (record.row_count or 0)  # the report, and each of its rows
    report = json.loads(bytes(record.report))
    assert report["status"] == "REPORT_STATUS_COMPLETED"
    assert report["reportType"] == "REPORT_TYPE_PAYMENTS_ORDER"
    assert report["startTime"] == "2025-03-08T23:00:00.000Z"
    assert report["endTime"] == "2025-03-09T23:00:00.000Z"
    history = await calls(writer_pool, org_id)
    download = next(c for c in history if c["fetch_id"] == events[0]["fetch_id"])
    assert download["endpoint"].startswith("/sim-files/reports/")
    rows = csv_rows(download["body"])  # the CSV itself, for auditors, in the history
    assert rows[0][:5] == [
        "Transaction UUID", "Driver UUID", "Driver FirstName", "Driver Surname", "Trip UUID",
    ]  # fmt: skip
    assert record.row_count == len(rows) - 1 > 0
    assert record.csv_sha256 == hashlib.sha256(download["body"]).hexdigest()
    org = (await writer_pool.fetchval(
        "SELECT account_id FROM provider_accounts WHERE org_id = $1", org_id
    ))  # fmt: skip
    flow = [(c["method"], c["endpoint"].replace(org, "ORG")) for c in history[1:]]
    report_path = f"{REPORTS.format(org='ORG')}/{report['id']}"
    assert flow == [
        ("POST", REPORTS.format(org="ORG")),
        ("GET", report_path),
        ("POST", f"{report_path}/link"),
        ("GET", download["endpoint"]),
    ]
    (row,) = await project_reports(writer_pool, org_id)
    assert (row["report_id"], row["status"], row["row_count"]) == (
        report["id"], "REPORT_STATUS_COMPLETED", record.row_count,
    )  # fmt: skip
    assert row["csv_sha256"] == record.csv_sha256 and row["fetch_id"] == download["fetch_id"]
    assert row["start_time"] == YESTERDAY_START and row["end_time"] == YESTERDAY_END


async def test_the_report_matches_the_transactions_of_the_same_world(
    pollers: UberPollers, sim: SimServer, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await pollers.reports()
    (event,) = await report_events(writer_pool, org_id)
    body = await writer_pool.fetchval(
        "SELECT r.body FROM provider_fetches f JOIN provider_responses r "
        "ON r.content_hash = f.response_hash WHERE f.fetch_id = $1",
        event["fetch_id"],
    )
    rows = csv_rows(body)[1:]
    assert len({r[0] for r in rows}) == len(rows)  # one row per transaction
    assert {r[1] for r in rows} <= {d for d in await _driver_ids(sim)}


async def _driver_ids(sim: SimServer) -> list[str]:
    async with httpx.AsyncClient(base_url=sim.url) as client:
        token = (await client.post("/oauth/v2/token", data={
            "client_id": "sim-uber-client", "client_secret": "sim-uber-secret",
            "grant_type": "client_credentials", "scope": UBER_DEFAULT_SCOPES,
        })).json()["access_token"]  # fmt: skip
        auth = {"Authorization": f"Bearer {token}"}
        org = (await client.get("/v1/vehicle-suppliers/orgs", headers=auth)).json()
        params = {"org_id": org["organizations"][0]["id"], "page_size": 100}
        page = await client.get("/v1/vehicle-suppliers/drivers", params=params, headers=auth)
        return [d["driverId"] for d in page.json()["driverInformation"]]


async def test_a_second_run_the_same_day_fetches_nothing_again(
    pollers: UberPollers, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await pollers.reports()
    again = await pollers.reports()

    assert again.calls == 0 and again.appended == 0
    assert len(await report_events(writer_pool, org_id)) == 1


async def test_a_day_whose_report_is_fetched_twice_appends_none_of_its_rows_twice(
    pollers: UberPollers, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    first = await pollers.reports()
    account = await writer_pool.fetchval(
        "SELECT account_id FROM provider_accounts WHERE org_id = $1", org_id
    )
    async with writer_pool.acquire() as conn:  # the cursor reset: the day is asked again
        await save_cursor(conn, org_id, "uber", "reports", account, {})
    again = await pollers.reports()

    assert first.appended > 1 and again.appended == 1  # the second report object alone
    rows = await writer_pool.fetchval(
        "SELECT count(*) FROM event_log WHERE org_id = $1 AND event_type = $2",
        org_id,
        PAYMENT_ORDER_ROW_OBSERVED,
    )
    assert rows == first.appended - 1


async def test_the_signed_query_never_reaches_the_history_the_logs_or_errors(
    pollers: UberPollers, writer_pool: asyncpg.Pool, org_id: UUID,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    with caplog.at_level(logging.DEBUG):
        await pollers.reports()

    history = await calls(writer_pool, org_id)
    for call in history:
        text = f"{call['endpoint']} {call['params']} {call['error']}"
        assert "Signature" not in text and "Expires" not in text and "?" not in call["endpoint"]
        if call["endpoint"].endswith("/link"):
            assert b"Signature" not in call["body"] and b"REDACTED" in call["body"]
    assert "Signature=" not in caplog.text


async def test_a_link_that_expires_before_the_download_is_asked_again(
    writer_pool: asyncpg.Pool, http: httpx.AsyncClient, sim: SimServer, org_id: UUID,
    clock: FixedClock,
) -> None:  # fmt: skip
    moved: list[bool] = []

    async def late(request: httpx.Request) -> None:
        if not moved:  # the first download starts after the 60 s link lifetime
            moved.append(True)
            clock.advance(timedelta(seconds=61))

    pollers = make_pollers(writer_pool, http, sim, org_id, clock, NoSleep(), late)
    result = await pollers.reports()

    history = await calls(writer_pool, org_id)
    downloads = [c for c in history if c["endpoint"].startswith("/sim-files/")]
    links = [c for c in history if c["endpoint"].endswith("/link")]
    assert [c["status"] for c in downloads] == [403, 200] and len(links) == 2
    assert b"Access Denied" in downloads[0]["body"]
    assert len(await report_events(writer_pool, org_id)) == 1 and result.appended > 1


async def test_a_seventh_report_in_progress_is_refused_until_one_completes(
    writer_pool: asyncpg.Pool, org_id: UUID, clock: FixedClock
) -> None:
    with report_sim(clock, uber_report_delay_s=600) as sim:
        http = uber_http(dataclasses.replace(sim.uber_settings(), scopes=UBER_DEFAULT_SCOPES))
        try:
            sleep = NoSleep()
            busy = [make_pollers(writer_pool, http, sim, org_id, clock, sleep)]
            for _ in range(6):  # six other tenants' runs leave their report in progress
                await _start_report(http, sim)
            with pytest.raises(ProviderRateLimited):
                await busy[0].reports()
            statuses = [c["status"] for c in await calls(writer_pool, org_id)]
            assert statuses.count(429) == 3  # every attempt refused, each one recorded

            clock.advance(timedelta(seconds=601))  # the six complete
            await _start_report(http, sim)  # room again (this one stays in progress)
            pending = await busy[0].reports()
            assert pending.appended == 0  # ours is in progress: it stays pending
            clock.advance(timedelta(seconds=601))
            done = await busy[0].reports()
            assert done.appended > 1 and len(await report_events(writer_pool, org_id)) == 1
        finally:
            await http.aclose()


async def _start_report(http: httpx.AsyncClient, sim: SimServer) -> None:
    org = (await http.get(f"{sim.url}/v1/vehicle-suppliers/orgs")).json()["organizations"][0]
    body = {
        "reportType": "REPORT_TYPE_DRIVER_QUALITY",
        "filters": [{"field": "dateRange", "operator": "OPERATOR_IN_RANGE",
                     "value": ["1741478400000", "1741564800000"]}],
    }  # fmt: skip
    response = await http.post(f"{sim.url}{REPORTS.format(org=org['id'])}", json=body)
    assert response.status_code == 200, response.text
