"""`fleet up` from nothing: serves the simulated drivers, and a restart keeps everything."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
import httpx
import pytest

from core.state import read_database_settings
from fleet.runtime import free_port
from tests.fleetup import ADMIN, PASSWORD, start, stop, wait_for_line


async def _drivers(port: int, timeout_s: float) -> list[dict[str, object]]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as api:
        token = (await api.post("/auth/login", json={"email": ADMIN, "password": PASSWORD})).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        deadline = time.monotonic() + timeout_s
        items: list[dict[str, object]] = []
        while time.monotonic() < deadline:
            page = await api.get("/fleet/drivers", params={"limit": 500}, headers=headers)
            items = [d for d in page.json()["items"] if d["provider"] == "uber"]
            if len(items) >= 25:
                break
            await asyncio.sleep(0.5)
        return items


# An event repeating the record its entity already had is a duplicate (a record may change
# back to an earlier state, so only consecutive repeats count).
_REPEATS = """
SELECT count(*) FROM (
    SELECT record_hash = lag(record_hash) OVER (
        PARTITION BY org_id, provider, event_type, entity_id ORDER BY position) AS repeat
    FROM event_log) e
WHERE repeat
"""


async def _log_state(state: Path) -> tuple[set[object], int]:
    """The event ids in the log, and how many events repeat their entity's last record."""
    conn = await asyncpg.connect(read_database_settings(state).owner_url)
    try:
        ids = {row[0] for row in await conn.fetch("SELECT event_id FROM event_log")}
        return ids, int(await conn.fetchval(_REPEATS))
    finally:
        await conn.close()


@pytest.mark.slow
async def test_fleet_up_serves_drivers_within_60s_and_a_restart_loses_and_duplicates_nothing(
    tmp_path: Path,
) -> None:
    state, port = tmp_path / "state", free_port()
    started = time.monotonic()
    proc = start(state, port)
    try:
        wait_for_line(proc, "Fleet Manager is up", 90)
        first = await _drivers(port, 60)
        elapsed = time.monotonic() - started
        events_before, _ = await _log_state(state)
    finally:
        out = stop(proc)
    print(f"fleet up: {len(first)} drivers served {elapsed:.1f}s after start")
    assert len(first) == 25 and elapsed < 60
    assert proc.returncode == 0 and "[fleet] stopped" in out

    proc = start(state, port)
    try:
        wait_for_line(proc, "Fleet Manager is up", 90)
        again = await _drivers(port, 30)
        await asyncio.sleep(2)  # the restarted ingest re-polls: unchanged drivers
        events_after, repeats = await _log_state(state)
    finally:
        stop(proc)
    assert sorted(d["driver_id"] for d in again) == sorted(d["driver_id"] for d in first)
    assert events_before <= events_after  # every event kept (the backfill may go on)
    assert repeats == 0  # and none appended twice
