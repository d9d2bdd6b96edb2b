"""Outages: nats-server down, PostgreSQL restarted, a provider down for hours.

Run with ``-s`` to see what was injected and verified. ``NATS_OUTAGE_S`` (default 60, the
issue's minute) sets the NATS outage.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from core.config import DatabaseSettings
from core.state import DB_NAME, load_secrets
from core.state import read_database_settings as embedded_settings
from fleet.database import migrate, provision
from fleet.postgres import EmbeddedPostgres
from fleet.runtime import EmbeddedNats
from simulator import SimulatorSettings
from tests.fault.checks import (
    REPEATS,
    compare_with_rebuild,
    ignored,
    positions,
    wait_caught_up,
    wait_for_drivers,
)
from tests.fault.payments import (
    HOUR,
    bucket_floor,
    logged_payments,
    missing_or_different,
    payments_cursor,
    provider_payments,
)
from tests.fault.stack import ORG_SLUG, Sim, create_org, running_workers, serve_sim, worker_env

pytestmark = pytest.mark.fault

NATS_OUTAGE_S = float(os.environ.get("NATS_OUTAGE_S", "60"))
PG_OUTAGE_S = 6.0


def _mutate(sim: Sim, count: int = 2) -> None:
    for provider in ("uber", "bolt"):
        sim.server.control(f"/_sim/{provider}/drivers/mutate", {"count": count})


async def _positions(url: str) -> tuple[int, int, dict[str, int]]:
    conn = await asyncpg.connect(url)
    try:
        return await positions(conn)
    finally:
        await conn.close()


async def test_appends_go_on_while_nats_is_down_and_relay_and_projectors_catch_up(
    fault_db: DatabaseSettings, own_nats: EmbeddedNats, tmp_path: Path
) -> None:
    print(f"\n[fault] nats-server down {NATS_OUTAGE_S:.0f}s (NATS_OUTAGE_S)")
    with serve_sim(SimulatorSettings(seed=5, uber_drivers=15, bolt_drivers=15)) as sim:
        env = worker_env(fault_db, own_nats.url, sim.server, tmp_path / "state")
        with running_workers(env, tmp_path / "logs") as workers:
            workers.start_all()
            await wait_for_drivers(fault_db.owner_url, sim.served_drivers(), 60)
            await wait_caught_up(fault_db.owner_url, 60)
            before, relay_before, _ = await _positions(fault_db.owner_url)
            own_nats.stop()
            down_at = time.monotonic()
            await asyncio.sleep(2)
            _mutate(sim)
            fed = await wait_for_drivers(fault_db.owner_url, sim.served_drivers(), NATS_OUTAGE_S)
            await asyncio.sleep(max(NATS_OUTAGE_S - (time.monotonic() - down_at), 0))
            during, relay_during, _ = await _positions(fault_db.owner_url)
            own_nats.start()
            back_at = time.monotonic()
            caught_up = await wait_caught_up(fault_db.owner_url, 60)
            assert not workers.dead(), f"a worker died: {workers.dead()}"
            workers.stop("ingest")
            await wait_caught_up(fault_db.owner_url, 30)
            workers.stop_all()
    head, relay, _ = await _positions(fault_db.owner_url)
    diff = await compare_with_rebuild(fault_db.owner_url)

    print(f"  injected: nats-server stopped {back_at - down_at:.0f}s; 2 drivers per provider")
    print("            changed 2s into the outage")
    assert during > before, "nothing was appended while NATS was down"
    print(f"  verified: appends went on: log {before} → {during} during the outage")
    print(f"            (relay checkpoint {relay_before} → {relay_during}: nothing to publish to)")
    print(f"  verified: projector fed from the log meanwhile: changes projected in {fed:.1f}s")
    assert relay == head
    print(f"  verified: relay and projections at the head {caught_up:.1f}s after NATS was back")
    assert diff.differences == {}, diff.differences
    print(f"  verified: read models == rebuild from the log (all but {ignored()})")


@asynccontextmanager
async def own_postgres(state: Path) -> AsyncIterator[tuple[EmbeddedPostgres, DatabaseSettings]]:
    """A PostgreSQL of the test's own (the session's is shared), provisioned and migrated."""
    server = EmbeddedPostgres(state, fast=True)
    port = await asyncio.to_thread(server.start)
    try:
        await provision(server.superuser_url(port), load_secrets(state), DB_NAME)
        settings = embedded_settings(state)
        await asyncio.to_thread(migrate, settings.owner_url)
        await create_org(settings.owner_url)
        yield server, settings
    finally:
        await asyncio.to_thread(server.stop)


async def _payments_behind_cursor(sim: Sim, db: DatabaseSettings) -> list[str]:
    """Payments the provider reports for settled buckets the cursor passed, not in the log."""
    conn = await asyncpg.connect(db.owner_url)
    try:
        org_id = await conn.fetchval("SELECT org_id FROM orgs WHERE slug = $1", ORG_SLUG)
        account, cursor = await payments_cursor(conn, org_id)
        logged = await logged_payments(conn, org_id)
    finally:
        await conn.close()
    start = bucket_floor(cursor) - 22 * HOUR  # well inside the first poll's 24 hours
    reported = await provider_payments(sim.server.uber_settings(), account, start, cursor)
    return missing_or_different(reported, logged)


async def test_pollers_retry_through_a_postgres_restart_and_no_cursor_passes_unsaved_data(
    own_nats: EmbeddedNats, tmp_path: Path
) -> None:
    print(f"\n[fault] PostgreSQL (a server of the test's own) stopped {PG_OUTAGE_S:.0f}s")
    async with own_postgres(tmp_path / "pg") as (pg, db):
        with serve_sim(SimulatorSettings(seed=9, uber_drivers=15, bolt_drivers=15)) as sim:
            env = worker_env(db, own_nats.url, sim.server, tmp_path / "state")
            with running_workers(env, tmp_path / "logs") as workers:
                workers.start_all()
                await wait_for_drivers(db.owner_url, sim.served_drivers(), 60)
                before, _, _ = await _positions(db.owner_url)
                await asyncio.to_thread(pg.stop)
                _mutate(sim)
                await asyncio.sleep(PG_OUTAGE_S)
                await asyncio.to_thread(pg.start)
                restarted = workers.dead()
                for name in [w.split("=")[0] for w in restarted]:
                    workers.start(name)  # what `fleet up`'s supervisor does
                recovered = await wait_for_drivers(db.owner_url, sim.served_drivers(), 90)
                await asyncio.sleep(5)  # one more round of every short poll
                workers.stop("ingest")
                await wait_caught_up(db.owner_url, 60)
                workers.stop_all()
            missing = await _payments_behind_cursor(sim, db)
        conn = await asyncpg.connect(db.owner_url)
        try:
            repeats = int(await conn.fetchval(REPEATS))
            head, relay, _ = await positions(conn)
        finally:
            await conn.close()
        diff = await compare_with_rebuild(db.owner_url)

    print(f"  injected: pg_ctl stop -m fast at log head {before}, 2 drivers per provider changed")
    print(f"            meanwhile, pg_ctl start {PG_OUTAGE_S:.0f}s later")
    print(
        f"  workers that exited on the outage (restarted as `fleet up` does): {restarted or 'none'}"
    )
    assert repeats == 0
    print(f"  verified: pollers recovered: changes projected {recovered:.1f}s after the restart")
    assert missing == [], f"payments behind the cursor missing from the log: {missing[:5]}"
    print("  verified: every Uber payment of the settled buckets behind the cursor is in the log")
    assert relay == head and diff.differences == {}, diff.differences
    print(f"  verified: log head {head}, 0 repeats, relay at head, read models == rebuild")
