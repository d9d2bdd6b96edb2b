"""What every bench shares: its own embedded PostgreSQL (and NATS), sizes, and the output.

Each bench starts real servers in a temporary state folder (PostgreSQL with fsync on, as in
production: ``fast=False``), provisions and migrates a database, prints its figure beside a
baseline measured in the same run, and writes ``bench/out/<name>.json``. Never asserts times.
``BENCH_SCALE`` (default 1) scales the sizes: ``BENCH_SCALE=0.05 make bench`` for a smoke run.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from contracts.uber import DRIVER_OBSERVED, DRIVER_OBSERVED_VERSION
from core.config import DatabaseSettings
from core.state import DB_NAME, load_secrets, read_database_settings, write_runtime
from eventlog.store import Observation, append_observations, canonical_hash, read_types_after
from fleet.database import migrate, provision
from fleet.postgres import EmbeddedPostgres
from fleet.runtime import EmbeddedNats
from projector.replay import REBUILD_BATCH, cyclic_gc_paused

OUT = Path(__file__).resolve().parent / "out"
SCALE = float(os.environ.get("BENCH_SCALE", "1"))


def scaled(n: int) -> int:
    """``n`` times ``BENCH_SCALE``, at least 1."""
    return max(int(n * SCALE), 1)


@asynccontextmanager
async def embedded(
    *, nats: bool = False, keep: Path | None = None
) -> AsyncIterator[tuple[Path, DatabaseSettings]]:
    """A migrated database (and a nats-server) of the bench's own, removed afterwards; with
    ``keep``, in that folder, kept for the next run (which reuses it, migrated again)."""
    state = keep or Path(tempfile.mkdtemp(prefix="fleet-bench-"))
    state.mkdir(parents=True, exist_ok=True)
    postgres = EmbeddedPostgres(state, fast=False)
    nats_server = EmbeddedNats(state) if nats else None
    try:
        port = postgres.start()
        await provision(postgres.superuser_url(port), load_secrets(state), DB_NAME)
        settings = read_database_settings(state)
        migrate(settings.owner_url)
        if nats_server is not None:
            write_runtime(state, nats_url=nats_server.start())
        yield state, settings
    finally:
        if nats_server is not None:
            nats_server.stop()
        postgres.stop()
        if keep is None:
            shutil.rmtree(state, ignore_errors=True)


@contextmanager
def fleet_processes(state: Path, *commands: str) -> Iterator[None]:
    """``fleet <command>`` for each command, as a process of its own on the bench's state
    folder (as in production), stopped on exit; on an error, each one's log tail is printed."""
    env = {**os.environ, "FLEET_STATE_DIR": str(state), "FLEET_METRICS_PORT": "0"}
    processes = []
    for command in commands:
        log = (state / f"{command}.log").open("wb")
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "fleet", command], env=env, stdout=log, stderr=log
            )
        )
    try:
        yield
    except Exception:
        for command in commands:
            print(f"--- {command} log (tail)", file=sys.stderr)
            print((state / f"{command}.log").read_text()[-1500:], file=sys.stderr)
        raise
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def new_org(conn: asyncpg.Connection) -> UUID:
    org: UUID = await conn.fetchval(
        "INSERT INTO orgs (slug, name) VALUES ('bench', 'Bench') RETURNING org_id"
    )
    return org


def driver_observations(count: int, round_: int, offset: int = 0) -> list[Observation]:
    """``count`` drivers (ids from ``offset``), their phone number set by ``round_``."""
    out = []
    for i in range(offset, offset + count):
        record = json.dumps(
            {
                "driverId": f"drv-{i:07d}",
                "firstName": f"First{i}",
                "lastName": f"Last{i % 997}",
                "email": f"drv-{i}@example.test",
                "phoneNumber": {"countryCode": "+33", "number": f"6{round_:02d}{i:06d}"},
                "status": "active",
            }
        ).encode()
        out.append(
            Observation(
                f"drv-{i:07d}",
                DRIVER_OBSERVED,
                DRIVER_OBSERVED_VERSION,
                record,
                canonical_hash(record),
            )
        )
    return out


# A COPY baseline's table: event_log's columns, defaults, identity and indexes, and the
# statement-level check of the orgs and calls its rows name (migration 0029), so that any
# index or check added to the log weighs on both sides.
_LOG_LIKE_SQL = """
CREATE TABLE {name} (LIKE event_log INCLUDING ALL);
CREATE TRIGGER {name}_references AFTER INSERT ON {name} REFERENCING NEW TABLE AS appended
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_check_references();
"""


async def create_log_like(conn: asyncpg.Connection, name: str) -> None:
    """A table ``name`` shaped and checked like ``event_log`` (the owner's connection)."""
    await conn.execute(_LOG_LIKE_SQL.format(name=name))


async def append_driver_page(
    conn: asyncpg.Connection, org: UUID, page: Sequence[Observation]
) -> list[int]:
    """One page of bench drivers through the real append path, in a transaction of its own;
    the positions it appended."""
    async with conn.transaction():
        return await append_observations(
            conn,
            org_id=org,
            provider="uber",
            account_id="bench",
            entity_type="driver",
            observed_at=datetime.now(UTC),
            fetch_id=None,
            observations=list(page),
        )


async def read_as_rebuild(
    conn: asyncpg.Connection, types: Sequence[str], head: int
) -> tuple[int, float]:
    """(events, seconds) to read the events of ``types`` up to ``head`` as a rebuild reads
    them (``read_types_after``, batches of ``REBUILD_BATCH``, the cycle collector paused),
    and no more: a rebuild's baseline."""
    position, events = 0, 0
    started = time.perf_counter()
    with cyclic_gc_paused():
        while position < head:
            batch = await read_types_after(conn, position, REBUILD_BATCH, types, head)
            events += len(batch)
            position = batch[-1].position if len(batch) == REBUILD_BATCH else head
    return events, time.perf_counter() - started


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` quantile (0..1) of ``values`` (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(name: str, lines: list[str], figures: dict[str, Any]) -> None:
    """Print the figures and write them to ``bench/out/<name>.json``."""
    for line in lines:
        print(line)
    OUT.mkdir(exist_ok=True)
    payload = {"bench": name, "scale": SCALE, "at": datetime.now(UTC).isoformat(), **figures}
    (OUT / f"{name}.json").write_text(json.dumps(payload, indent=2) + "\n")
    print(f"  → bench/out/{name}.json")
