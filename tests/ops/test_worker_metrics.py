"""Worker metrics: provider calls, token mints, appended events and relay lag are counted."""

from __future__ import annotations

import urllib.request
from uuid import UUID

import asyncpg
from prometheus_client import REGISTRY

from core.metrics_server import serve_metrics
from fleet.runtime import free_port
from ingest.http import ProviderHttp
from ingest.main import uber_http
from ingest.uber.client import UberClient
from ingest.uber.pollers import UberPollers
from tests.simserver import SimServer


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_poll_counts_calls_mints_and_appended_events(
    simulator: SimServer, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    calls = _value(
        "fleet_provider_calls_total",
        provider="uber",
        endpoint="/v1/vehicle-suppliers/drivers",
        status="200",
    )
    mints = _value("fleet_provider_token_mints_total", provider="uber")
    appended = _value("fleet_events_appended_total", event_type="uber.driver.observed")
    http = uber_http(simulator.uber_settings())
    try:
        client = UberClient(ProviderHttp("uber", http), simulator.url)
        await UberPollers(writer_pool, client, org_id).drivers()
    finally:
        await http.aclose()

    assert (
        _value(
            "fleet_provider_calls_total",
            provider="uber",
            endpoint="/v1/vehicle-suppliers/drivers",
            status="200",
        )
        == calls + 1
    )
    assert _value("fleet_provider_token_mints_total", provider="uber") == mints + 1
    assert _value("fleet_events_appended_total", event_type="uber.driver.observed") == appended + 25


def test_metrics_endpoint_serves_the_registry_when_a_port_is_set() -> None:
    assert serve_metrics({}, "test") is None
    port = free_port()
    assert serve_metrics({"FLEET_METRICS_PORT": str(port)}, "test") == port
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        body = response.read().decode()
    assert "fleet_provider_calls_total" in body
