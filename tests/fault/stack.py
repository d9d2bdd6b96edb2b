"""What the fault tests run: a database of their own, a simulator, and real worker processes.

The workers are ``python -m fleet ingest|relay|projector``, started as `fleet up` starts them
(``fleet/supervisor.py``), pointed at the test's database, nats-server and simulator, with
short poll intervals. ``kill`` sends SIGKILL: no handler runs, nothing is flushed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import asyncpg

from core.config import DatabaseSettings
from core.state import OWNER_ROLE
from fleet.accounts import ensure_org
from fleet.database import migrate
from simulator import Clock, SimulatorSettings, create_app
from simulator.state import SimState
from tests.simserver import SimServer, serve_app

WORKERS = ("ingest", "relay", "projector")
ORG_SLUG = "fault"

# Every poll every few seconds (the defaults are minutes to hours).
FAST_POLLS = {
    "UBER_ORGANIZATIONS_INTERVAL_S": "5",
    "UBER_DRIVERS_INTERVAL_S": "2",
    "UBER_VEHICLES_INTERVAL_S": "4",
    "UBER_DRIVER_STATUS_INTERVAL_S": "3",
    "UBER_DAILY_METRICS_INTERVAL_S": "5",
    "UBER_PAYMENTS_INTERVAL_S": "4",
    "UBER_TRANSACTIONS_INTERVAL_S": "5",
    "BOLT_COMPANIES_INTERVAL_S": "5",
    "BOLT_DRIVERS_INTERVAL_S": "2",
    "BOLT_VEHICLES_INTERVAL_S": "4",
    "BOLT_ORDERS_INTERVAL_S": "5",
    "BOLT_STATE_LOGS_INTERVAL_S": "5",
    "BOLT_RATE_RPS": "50",
    "BOLT_RATE_BURST": "50",
}


def _with_db(url: str, name: str) -> str:
    return f"{url.rpartition('/')[0]}/{name}"


@asynccontextmanager
async def own_database(superuser_url: str, db: DatabaseSettings) -> AsyncIterator[DatabaseSettings]:
    """A fresh migrated database owned by the session's owner role, with the ``fault`` org."""
    name = f"fleet_fault_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(superuser_url)
    try:
        for attempt in range(20):  # CREATE DATABASE fails while template1 has a session
            try:
                await conn.execute(f'CREATE DATABASE "{name}" OWNER {OWNER_ROLE}')
                break
            except asyncpg.ObjectInUseError:
                if attempt == 19:
                    raise
                await asyncio.sleep(0.25)
    finally:
        await conn.close()
    settings = DatabaseSettings(
        owner_url=_with_db(db.owner_url, name),
        writer_url=_with_db(db.writer_url, name),
        api_url=_with_db(db.api_url, name),
    )
    await asyncio.to_thread(migrate, settings.owner_url)
    await create_org(settings.owner_url)
    try:
        yield settings
    finally:
        conn = await asyncpg.connect(superuser_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


async def create_org(owner_url: str) -> UUID:
    conn = await asyncpg.connect(owner_url)
    try:
        return await ensure_org(conn, ORG_SLUG, "Fault tests")
    finally:
        await conn.close()


@dataclass
class Sim:
    """A simulator over real HTTP whose world the test can read (what it serves now)."""

    server: SimServer
    state: SimState

    @property
    def url(self) -> str:
        return self.server.url

    def served_drivers(self) -> set[tuple[str, str, str]]:
        """(provider, driver id, e-mail) of every driver both providers list right now."""
        uber = {("uber", d.driver_id, d.email) for d in self.state.uber_world.all_drivers()}
        bolt = {
            ("bolt", d.driver_uuid, d.email)
            for c in self.state.bolt_world.companies()
            for d in self.state.bolt_world.drivers(c.company_id)
        }
        return uber | bolt


@contextmanager
def serve_sim(settings: SimulatorSettings, clock: Clock | None = None) -> Iterator[Sim]:
    """Like ``tests.simserver.serve_simulator``, keeping the simulator's state at hand."""
    app = create_app(settings, clock)
    with serve_app(app, settings) as server:
        yield Sim(server, app.state.sim)


def worker_env(db: DatabaseSettings, nats_url: str, sim: SimServer, state: Path) -> dict[str, str]:
    """The environment `fleet up` gives its workers, on our servers and fast schedules."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "DB_", "NATS_URL", "UBER_", "BOLT_", "JWT_", "SIM_"))
    }
    s = sim.settings
    env.update(
        DATABASE_URL=db.owner_url,
        WRITER_DATABASE_URL=db.writer_url,
        API_DATABASE_URL=db.api_url,
        NATS_URL=nats_url,
        FLEET_STATE_DIR=str(state),
        FLEET_ORG_SLUG=ORG_SLUG,
        FLEET_METRICS_PORT="0",
        PYTHONUNBUFFERED="1",
        APP_ENV="test",
        UBER_CLIENT_ID=s.uber_client_id,
        UBER_CLIENT_SECRET=s.uber_client_secret,
        UBER_AUTH_URL=f"{sim.url}/oauth/v2/token",
        UBER_BASE_URL=sim.url,
        UBER_SIMULATED="1",
        BOLT_CLIENT_ID=s.bolt_client_id,
        BOLT_CLIENT_SECRET=s.bolt_client_secret,
        BOLT_AUTH_URL=f"{sim.url}/token",
        BOLT_BASE_URL=f"{sim.url}/fleet-integration-gateway",
        BOLT_SIMULATED="1",
        **FAST_POLLS,
    )
    return env


@dataclass
class Workers:
    """The ingest, relay and projector processes of one test; logs in ``logs/``."""

    env: dict[str, str]
    logs: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    starts: dict[str, int] = field(default_factory=dict)

    def start(self, name: str) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.starts[name] = self.starts.get(name, 0) + 1
        out = (self.logs / f"{name}.{self.starts[name]}.log").open("wb")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "fleet", name],
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()

    def start_all(self, names: tuple[str, ...] = WORKERS) -> None:
        for name in names:
            self.start(name)

    def kill(self, name: str) -> None:
        """SIGKILL: the process gets no chance to clean up."""
        proc = self.procs[name]
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def stop(self, name: str) -> int | None:
        """SIGTERM, as `fleet up` stops a worker; SIGKILL after 15 s."""
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return proc.returncode if proc else None
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait(5)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)

    def dead(self) -> list[str]:
        """Workers that exited on their own (each with its exit code)."""
        return [f"{n}={p.returncode}" for n, p in self.procs.items() if p.poll() is not None]

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.logs / f"{name}.{self.starts.get(name, 1)}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@contextmanager
def running_workers(env: dict[str, str], logs: Path) -> Iterator[Workers]:
    workers = Workers(env, logs)
    try:
        yield workers
    finally:
        workers.stop_all()
