"""Every metric of issue 7 is exposed, with its labels, once its process has done some work.

Each test does a small piece of real work through the code path that owns the metric (a sync
run, a poll of the simulator, a relay pass, a projector refresh, an API request) and reads the
metric back from the registry the process serves. The names are the ones the dashboards and
alert rules in deploy/ query (tests/ops/test_dashboards.py checks that side).
"""

from __future__ import annotations

import asyncio
import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx
import pytest
from prometheus_client import REGISTRY, CollectorRegistry

import projector.metrics
from core.config import DatabaseSettings
from eventlog.bus import connect, ensure_events_stream
from eventlog.fetches import quarantine
from eventlog.relay import Relay
from fleet.runtime import free_port
from ingest.errors import ProviderAuthError
from ingest.http import ProviderHttp, RateLimiter
from ingest.main import uber_http
from ingest.pages import PollResult
from ingest.runs import Resource, RunRecorder, lock_key
from ingest.uber.client import UberClient
from ingest.uber.pollers import UberPollers
from projector.metrics import ProjectorMetrics
from tests.apihelp import ApiClient
from tests.apiproc import running_api
from tests.conftest import NatsServer
from tests.helpers import append_drivers, driver_observation
from tests.simserver import SimServer


def _value(name: str, registry: CollectorRegistry = REGISTRY, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


def _unique(prefix: str) -> str:
    """A resource name of its own: the default registry is shared by every test."""
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


async def _ok() -> PollResult:
    return PollResult(calls=1, records=1)


# -- ingest: sync runs, freshness, auth errors ------------------------------------------------


async def test_a_successful_run_is_counted_timed_and_marks_its_resource_fresh(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    name = _unique("drivers")
    before = time.time()

    await RunRecorder(writer_pool).scheduled(Resource(org_id, "uber", name, _ok))

    runs = {"provider": "uber", "resource": name, "trigger": "schedule"}
    assert _value("fleet_sync_runs_total", **runs, status="succeeded") == 1
    assert _value("fleet_sync_runs_total", **runs, status="failed") == 0  # declared at 0
    assert _value("fleet_sync_runs_total", **runs, status="skipped") == 0
    assert _value("fleet_sync_run_duration_seconds_count", provider="uber", resource=name) == 1
    fresh = _value("fleet_resource_last_success_timestamp_seconds", provider="uber", resource=name)
    assert fresh is not None and before <= fresh <= time.time()


async def test_a_run_refused_by_the_provider_is_a_failed_run_and_an_auth_error(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    name = _unique("payments")

    async def refused() -> PollResult:
        raise ProviderAuthError("bolt", "token request refused (401 invalid_client)", 401)

    with pytest.raises(ProviderAuthError):
        await RunRecorder(writer_pool).scheduled(Resource(org_id, "bolt", name, refused))

    runs = {"provider": "bolt", "resource": name, "trigger": "schedule"}
    assert _value("fleet_sync_runs_total", **runs, status="failed") == 1
    assert _value("fleet_sync_runs_total", **runs, status="succeeded") == 0
    assert _value("fleet_provider_auth_errors_total", provider="bolt", resource=name) == 1
    assert _value("fleet_sync_run_duration_seconds_count", provider="bolt", resource=name) == 1
    assert (
        _value("fleet_resource_last_success_timestamp_seconds", provider="bolt", resource=name)
        is None
    )


async def test_a_run_skipped_for_another_poller_is_counted_as_skipped(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    name = _unique("vehicles")
    async with writer_pool.acquire() as other_process:
        await other_process.execute(
            "SELECT pg_advisory_lock(hashtext($1))", lock_key(org_id, "uber", name)
        )
        try:
            await RunRecorder(writer_pool).scheduled(Resource(org_id, "uber", name, _ok))
        finally:
            await other_process.execute("SELECT pg_advisory_unlock_all()")

    runs = {"provider": "uber", "resource": name, "trigger": "schedule"}
    assert _value("fleet_sync_runs_total", **runs, status="skipped") == 1
    assert _value("fleet_sync_run_duration_seconds_count", provider="uber", resource=name) is None


async def test_freshness_after_a_restart_starts_from_the_last_success_in_postgres(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    name = _unique("orders")
    finished = await writer_pool.fetchval(
        "INSERT INTO sync_runs (org_id, provider, resource, trigger, status, started_at, "
        "finished_at) VALUES ($1, 'bolt', $2, 'schedule', 'succeeded', now() - interval '2 h', "
        "now() - interval '2 h') RETURNING extract(epoch FROM finished_at)::float8",
        org_id,
        name,
    )

    async def down() -> PollResult:
        raise OSError("provider unreachable")

    with pytest.raises(OSError):
        await RunRecorder(writer_pool).scheduled(Resource(org_id, "bolt", name, down))

    assert _value(
        "fleet_resource_last_success_timestamp_seconds", provider="bolt", resource=name
    ) == pytest.approx(finished)


def test_the_schedule_exports_each_resource_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    from ingest.main import schedule
    from ingest.schedule import PollScheduler

    org = uuid.uuid4()
    scheduler = PollScheduler()
    targets = [Resource(org, "uber", "driver_status", _ok), Resource(org, "bolt", "orders", _ok)]
    schedule(scheduler, RunRecorder(None), targets, {"UBER_DRIVER_STATUS_INTERVAL_S": "600"})  # type: ignore[arg-type]

    interval = "fleet_resource_poll_interval_seconds"
    assert _value(interval, provider="uber", resource="driver_status") == 600
    assert _value(interval, provider="bolt", resource="orders") == 6 * 3600


# -- ingest: provider calls, token mints, rate limits; the log: appends, quarantine ----------


async def test_a_poll_of_the_provider_exposes_calls_mints_and_appended_events(
    simulator: SimServer, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    endpoint = {"provider": "uber", "endpoint": "/v1/vehicle-suppliers/drivers"}
    http = uber_http(simulator.uber_settings())
    try:
        client = UberClient(ProviderHttp("uber", http), simulator.url)
        poll = UberPollers(writer_pool, client, org_id).drivers
        await RunRecorder(writer_pool).scheduled(Resource(org_id, "uber", "drivers", poll))
    finally:
        await http.aclose()

    assert (_value("fleet_provider_calls_total", **endpoint, status="200") or 0) >= 1
    assert (_value("fleet_provider_call_seconds_count", **endpoint) or 0) >= 1
    assert (_value("fleet_provider_token_mints_total", provider="uber") or 0) >= 1
    assert (_value("fleet_events_appended_total", event_type="uber.driver.observed") or 0) >= 25
    runs = {"provider": "uber", "resource": "drivers", "trigger": "schedule"}
    assert (_value("fleet_sync_runs_total", **runs, status="succeeded") or 0) >= 1


async def test_our_own_rate_limiter_counts_its_waits_per_provider() -> None:
    before = _value("fleet_provider_rate_limited_total", provider="bolt", source="limiter") or 0
    limiter = RateLimiter(rate=50.0, burst=1, provider="bolt")
    await limiter.acquire()
    await limiter.acquire()  # the bucket is empty: this one waits

    after = _value("fleet_provider_rate_limited_total", provider="bolt", source="limiter")
    assert after == before + 1


async def test_a_quarantined_record_is_counted_per_provider_and_resource(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    name = _unique("orders")
    async with writer_pool.acquire() as conn:
        await quarantine(
            conn,
            org_id=org_id,
            provider="bolt",
            resource=name,
            fetch_id=None,
            reason="test",
            raw=b"{",
        )

    assert _value("fleet_quarantined_total", provider="bolt", resource=name) == 1


# -- relay and projector ----------------------------------------------------------------------


async def test_a_relay_pass_measures_the_relay_lag(
    writer_pool: asyncpg.Pool, nats_server: NatsServer, org_id: UUID
) -> None:
    await append_drivers(writer_pool, org_id, [driver_observation(_unique("d"))])
    nc = await connect(nats_server.url, "test-metrics-relay", retry_for_s=10)
    try:
        await ensure_events_stream(nc.jetstream())
        relay = Relay(writer_pool, nc)
        await relay.reconcile()
        await relay.drain()
    finally:
        await nc.close()

    assert _value("fleet_relay_lag_events") == 0
    assert (_value("fleet_relay_published_total") or 0) >= 1


async def test_the_projector_gauges_follow_the_log_while_it_runs(
    writer_pool: asyncpg.Pool, org_id: UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(projector.metrics, "REFRESH_S", 0.05)
    registry = CollectorRegistry()
    gauges = ProjectorMetrics(registry)
    name = _unique("never_applied")  # checkpoint 0: every event of the log is behind it
    stop = asyncio.Event()
    refresher = asyncio.create_task(gauges.keep_fresh(writer_pool, [name], stop))
    try:
        first = await _wait_for(
            lambda: _value("fleet_projection_lag_events", registry, projection=name)
        )
        await append_drivers(writer_pool, org_id, [driver_observation(_unique("d"))])
        later = await _wait_for(
            lambda: _bigger(_value("fleet_projection_lag_events", registry, projection=name), first)
        )
    finally:
        stop.set()
        await refresher

    assert later > first
    assert (_value("fleet_projection_lag_seconds", registry, projection=name) or 0) > 0
    assert _value("fleet_parked_events", registry, projection=name) == 0


def _bigger(value: float | None, than: float) -> float | None:
    return value if value is not None and value > than else None


async def _wait_for(read, timeout_s: float = 5.0) -> float:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while (value := read()) is None:
        assert time.monotonic() < deadline, "the gauge was not refreshed"
        await asyncio.sleep(0.02)
    return float(value)


# -- API ----------------------------------------------------------------------------------------


async def test_each_request_is_timed_under_its_route_method_and_status(api: ApiClient) -> None:
    registry = api.app.state.registry
    labels = {"route": "/healthz", "method": "GET", "status": "200"}
    before = _value("fleet_http_request_duration_seconds_count", registry, **labels) or 0

    assert (await api.get("/healthz")).status_code == 200

    after = _value("fleet_http_request_duration_seconds_count", registry, **labels)
    assert after == before + 1
    # The route template, with the router's prefix, never the raw path (ids stay out of labels).
    assert (await api.get("/fleet/drivers/some-driver")).status_code == 401
    template = {"route": "/fleet/drivers/{driver_id}", "method": "GET", "status": "401"}
    assert _value("fleet_http_request_duration_seconds_count", registry, **template) == 1


@pytest.fixture
def api_two_workers(db: DatabaseSettings, tmp_path: Path) -> Iterator[str]:
    """`fleet api` with FLEET_API_WORKERS=2, as in compose; yields its base URL."""
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "DB_", "NATS_URL", "JWT_", "PROMETHEUS_"))
    }
    env.update(
        DATABASE_URL=db.owner_url,
        API_DATABASE_URL=db.api_url,
        FLEET_STATE_DIR=str(tmp_path),
        FLEET_API_PORT=str(port),
        FLEET_API_WORKERS="2",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
        APP_ENV="test",
    )
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "counter_1.db").write_bytes(b"left by an earlier run")
    with running_api(env, tmp_path / "api.log") as api:
        yield api.url


def test_several_api_workers_expose_the_sum_of_their_requests(api_two_workers: str) -> None:
    count = re.compile(
        r'^fleet_http_request_duration_seconds_count\{(?=[^}]*route="/healthz")'
        r'(?=[^}]*status="200")[^}]*\} ([0-9.e+]+)$',
        re.MULTILINE,
    )

    def healthz_count() -> float:
        body = httpx.get(f"{api_two_workers}/metrics", timeout=5).text
        return sum(float(m) for m in count.findall(body))

    before = healthz_count()  # the readiness probe's requests, whichever worker took them
    for _ in range(40):
        assert httpx.get(f"{api_two_workers}/healthz", timeout=5).status_code == 200

    # Each scrape reaches one worker; either one reports the requests of both.
    assert [healthz_count() for _ in range(4)] == [before + 40] * 4
