"""The dashboards show real data from `fleet up` (`make up`), scraped by a real Prometheus.

`fleet up` runs Prometheus and postgres_exporter when they are installed (`.ci/run` installs
Debian's); Grafana is not installable here, so the test runs every query of every panel of
both provisioned dashboards against that Prometheus, as Grafana would, after a little
traffic: API requests (one of them a 404), and syncs under the simulator's chaos (429s,
an expired token, a malformed record, a refused Bolt login), so that the error panels have
something to show too. Every panel must have series (a rate of 0 is data: Grafana draws it),
and the counters behind the error panels must have counted the chaos. The only panels
allowed to stay empty are the API's 5xx ones: a healthy API answers none (alerts_test.yml
proves their alert on synthetic series).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from fleet.runtime import free_port
from tests.fleetup import ADMIN, PASSWORD, start, stop, wait_for_line
from tests.ops.tools import require

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = sorted((ROOT / "deploy" / "grafana" / "dashboards").glob("*.json"))
QUIET_WHEN_HEALTHY = re.compile(r'status=~"5\.\."')  # API 5xx: none in a healthy stack
# What the traffic below must have been counted as, by the metrics behind the panels.
COUNTED = {
    "API 404s": 'fleet_http_request_duration_seconds_count{status="404"}',
    "provider 429s": 'fleet_provider_calls_total{status="429"}',
    "provider 401s": 'fleet_provider_calls_total{status="401"}',
    "rate-limit hits": "fleet_provider_rate_limited_total",
    "token mints": "fleet_provider_token_mints_total",
    "quarantined records": "fleet_quarantined_total",
    "auth errors": "fleet_provider_auth_errors_total",
    "failed sync runs": 'fleet_sync_runs_total{status="failed"}',
    "events appended": "fleet_events_appended_total",
}


def panel_queries() -> list[tuple[str, str]]:
    """``(dashboard/panel title, expression)`` of every target, as Grafana would send it."""
    found = []
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel.get("targets", []):
                expr = target["expr"].replace("$__rate_interval", "1m")
                found.append((f"{path.stem}/{panel['title']}", expr))
    return found


def _url(lines: list[str], marker: str) -> str:
    match = next(re.search(r"http://127\.0\.0\.1:\d+", ln) for ln in lines if marker in ln)
    assert match is not None
    return match.group(0)


async def _traffic(api: httpx.AsyncClient, sim: httpx.AsyncClient) -> None:
    """Requests and syncs under chaos, so that every panel has something to count."""
    token = (await api.post("/auth/login", json={"email": ADMIN, "password": PASSWORD})).json()
    api.headers["Authorization"] = f"Bearer {token['access_token']}"
    assert (await api.get("/fleet/drivers/no-such-driver")).status_code == 404
    uber = {"provider": "uber", "fail_next": 2, "status": 429, "retry_after": 1}
    await sim.post("/_sim/chaos", json={**uber, "malformed_next": 1})
    await sim.post("/_sim/uber/tokens/expire")
    await sim.post("/_sim/uber/drivers/mutate", json={"count": 3})
    # Enough refusals that the scheduled Bolt polls starting beside this sync (drivers,
    # vehicles, recent orders, state logs...) cannot use them all up before it asks.
    await sim.post("/_sim/chaos", json={"provider": "bolt", "token_fail_next": 40, "status": 401})
    await sim.post("/_sim/bolt/tokens/expire")
    runs = [
        (await api.post(path)).json()["run_id"]
        for path in ("/fleet/sync/drivers", "/bolt/sync/drivers")
    ]
    finished = [await _finished(api, run_id) for run_id in runs]
    assert [run["status"] for run in finished] == ["succeeded", "failed"], finished
    assert (await api.get("/fleet/drivers", params={"limit": 5})).status_code == 200


async def _finished(api: httpx.AsyncClient, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run: dict[str, Any] = (await api.get(f"/sync/runs/{run_id}")).json()
        if run["status"] in ("succeeded", "failed", "skipped"):
            return run
        await asyncio.sleep(0.5)
    raise AssertionError(f"sync run {run_id} did not finish in 60s")


async def _results(prom: httpx.AsyncClient, expr: str) -> list[float]:
    answer = (await prom.get("/api/v1/query", params={"query": expr})).json()
    assert answer["status"] == "success", (expr, answer)
    return [float(item["value"][1]) for item in answer["data"]["result"]]


async def _missing(prom: httpx.AsyncClient) -> list[str]:
    """Panels without series, and traffic not counted yet."""
    missing = [
        f"panel {title}: {expr}"
        for title, expr in panel_queries()
        if not QUIET_WHEN_HEALTHY.search(expr) and not await _results(prom, expr)
    ]
    for what, metric in COUNTED.items():
        if sum(await _results(prom, f"sum({metric})")) <= 0:
            missing.append(f"not counted: {what} ({metric})")
    return missing


@pytest.mark.slow
async def test_every_dashboard_panel_shows_data_scraped_from_fleet_up(tmp_path: Path) -> None:
    require("prometheus")
    port = free_port()
    proc = start(tmp_path / "state", port, FLEET_PROMETHEUS_SCRAPE_S="1")
    try:
        lines = wait_for_line(proc, "Fleet Manager is up", 90)
        sim, prom_url = _url(lines, "simulator on"), _url(lines, "Prometheus on")
        async with (
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as api,
            httpx.AsyncClient(base_url=sim, timeout=10) as simulator,
            httpx.AsyncClient(base_url=prom_url, timeout=10) as prom,
        ):
            await _traffic(api, simulator)
            deadline, missing = time.monotonic() + 60, ["not queried yet"]
            while missing and time.monotonic() < deadline:
                await asyncio.sleep(2)
                await api.get("/fleet/drivers", params={"limit": 5})  # a user, still there
                missing = await _missing(prom)
            targets = (await prom.get("/api/v1/targets")).json()["data"]["activeTargets"]
            rules = (await prom.get("/api/v1/rules")).json()["data"]["groups"]
    finally:
        stop(proc)
    assert not missing, "\n".join(missing)
    jobs = {t["labels"]["job"]: t["health"] for t in targets}
    assert jobs == {
        "prometheus": "up",
        "fleet-api": "up",
        "fleet-ingest": "up",
        "fleet-relay": "up",
        "fleet-projector": "up",
        "postgres": "up",
    }
    loaded = [rule for group in rules for rule in group["rules"]]
    assert loaded and all(rule["health"] == "ok" for rule in loaded)
