"""``fleet replay --jobs N`` rebuilds units side by side, into the tables a serial replay
builds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import pytest

from core.config import DatabaseSettings
from fleet.cli import parser
from projector.commands import replay_command
from projector.parallel_replay import largest_first
from projector.projections import all_projections
from projector.replay import plan
from tests.fault.checks import differences, primary_keys, snapshot
from tests.fault.stack import own_database
from tests.helpers import append_drivers, driver_observation
from tests.ingest.test_bolt_support import unix
from tests.projector.test_bolt_projections import append_orders, order


@pytest.fixture
async def own_db(superuser_url: str, db: DatabaseSettings) -> AsyncIterator[DatabaseSettings]:
    """A database of the test's own: a replay swaps every read table of its database."""
    async with own_database(superuser_url, db) as settings:
        yield settings


async def _fill(owner_url: str) -> None:
    """A log touching several units: Uber drivers (and people), Bolt orders, in two orgs."""
    pool = await asyncpg.create_pool(owner_url, min_size=1, max_size=2)
    assert pool is not None
    try:
        orgs: list[UUID] = [r[0] for r in await pool.fetch("SELECT org_id FROM orgs")]
        other: UUID = await pool.fetchval(
            "INSERT INTO orgs (slug, name) VALUES ('other', 'Other') RETURNING org_id"
        )
        for n, org in enumerate([*orgs, other]):
            drivers = [driver_observation(f"p{n}-{i}", phone=f"61234{n}{i:03d}")
                       for i in range(30)]  # fmt: skip
            await append_drivers(pool, org, drivers)
            created = unix(datetime(2025, 3, 10, 8, tzinfo=UTC))
            await append_orders(pool, org, [
                order(f"o{n}-{i}", ride=10.0 + i, finished=created + 600 + i, created=created + i)
                for i in range(40)
            ])  # fmt: skip
            changed = [driver_observation(f"p{n}-{i}", phone=f"69999{n}{i:03d}")
                       for i in range(10)]  # fmt: skip
            await append_drivers(pool, org, changed)
    finally:
        await pool.close()


async def _tables(owner_url: str) -> tuple[dict[str, list[str]], dict[str, object]]:
    conn = await asyncpg.connect(owner_url)
    try:
        return await primary_keys(conn), dict(await snapshot(conn))
    finally:
        await conn.close()


async def test_a_parallel_replay_builds_the_tables_a_serial_replay_builds(
    own_db: DatabaseSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    await _fill(own_db.owner_url)
    assert await replay_command(own_db, projection=None, as_of=None, force=True, fresh=False) == 0
    keys, serial = await _tables(own_db.owner_url)
    capsys.readouterr()

    code = await replay_command(
        own_db, projection=None, as_of=None, force=False, fresh=False, jobs=2
    )

    printed = capsys.readouterr()
    assert code == 0, printed.err  # unforced: a table differing from the serial one refuses
    units = len(plan(all_projections()))
    assert printed.out.count("identical to the live table") == units, printed.out
    _, parallel = await _tables(own_db.owner_url)
    assert differences(serial, parallel, keys) == {}  # type: ignore[arg-type]
    assert sum(len(rows) for rows in parallel.values()) > 0  # type: ignore[arg-type]


def test_fleet_replay_takes_a_number_of_jobs() -> None:
    assert parser().parse_args(["replay", "--jobs", "2"]).jobs == 2
    assert parser().parse_args(["replay"]).jobs == 1
    with pytest.raises(SystemExit):
        parser().parse_args(["replay", "--jobs", "0"])


async def test_units_bound_by_round_trips_start_first_then_the_biggest(
    own_db: DatabaseSettings,
) -> None:
    await _fill(own_db.owner_url)
    pool = await asyncpg.create_pool(own_db.owner_url, min_size=1, max_size=2)
    assert pool is not None
    try:
        org = await pool.fetchval("SELECT org_id FROM orgs LIMIT 1")
        created = unix(datetime(2025, 3, 11, 8, tzinfo=UTC))
        more = [order(f"more-{i}", ride=12.0, finished=created + 600, created=created + i)
                for i in range(100)]  # fmt: skip
        await append_orders(pool, org, more)  # the Bolt orders: the biggest unit
        units = plan(all_projections())
        ordered = await largest_first(own_db, units)
        counts = dict(await pool.fetch("SELECT event_type, count(*) FROM event_log GROUP BY 1"))
    finally:
        await pool.close()
    events = [sum(counts.get(t, 0) for p in u.projections for t in p.event_types)
              for u in ordered]  # fmt: skip
    assert ordered[0].table == "people"
    assert events[0] < max(events)  # first, though not the biggest
    assert events[1:] == sorted(events[1:], reverse=True)
    assert sorted(u.table for u in ordered) == sorted(u.table for u in units)
