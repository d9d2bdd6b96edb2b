"""The fault suite (``-m fault``): crashes, outages and provider chaos against real servers.

Each test starts what it breaks on its own: a database of its own on the session PostgreSQL
(or a PostgreSQL of its own when it restarts it), a nats-server of its own, and a simulator;
the session servers, shared by every other test, are never stopped here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from core.config import DatabaseSettings
from fleet.runtime import EmbeddedNats
from tests.fault.stack import own_database


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fault: crashes, outages and provider chaos (tests/fault/), each under ~2 min"
    )


@pytest.fixture
async def fault_db(superuser_url: str, db: DatabaseSettings) -> AsyncIterator[DatabaseSettings]:
    """A migrated database of the test's own on the session server (same three roles)."""
    async with own_database(superuser_url, db) as settings:
        yield settings


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A nats-server of the test's own (JetStream in ``tmp_path``), free to stop and start."""
    server = EmbeddedNats(tmp_path / "nats-state")
    server.start()
    try:
        yield server
    finally:
        server.stop()
