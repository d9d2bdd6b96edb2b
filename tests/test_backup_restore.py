"""`fleet backup` and `fleet restore`: a backup restores to identical tables.

A real `fleet up` fills a state folder (simulator → ingest → log → relay → projector → read
tables). One backup is taken while it runs, one after it stopped; the second is restored into
a fresh folder and compared with the source table by table, row by row; the first must hold
exactly the log its manifest names, although appends went on while it was taken.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest

from core.config import DatabaseSettings
from core.state import read_database_settings
from fleet.postgres import EmbeddedPostgres
from fleet.runtime import free_port
from tests.fleetup import running
from tests.helpers import append_drivers, driver_observation

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

_TABLES = """
SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
"""


def _fleet(state: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DB_"))}
    env.update(FLEET_STATE_DIR=str(state), APP_ENV="dev", **extra)
    return subprocess.run(
        [sys.executable, "-m", "fleet", *args], env=env, capture_output=True, text=True, timeout=180
    )


async def _snapshot(url: str) -> dict[str, object]:
    """Every table's rows (as text, sorted) and every sequence's value, of a database."""
    conn = await asyncpg.connect(url)
    try:
        found: dict[str, object] = {}
        for (table,) in await conn.fetch(_TABLES):
            rows = await conn.fetch(f"SELECT t::text FROM {table} t")  # noqa: S608 (catalog)
            found[table] = sorted(row[0] for row in rows)
        sequences = "SELECT sequencename, last_value FROM pg_sequences ORDER BY 1"
        found["sequences"] = [tuple(row) for row in await conn.fetch(sequences)]
        return found
    finally:
        await conn.close()


async def _count(state: Path, sql: str) -> int:
    conn = await asyncpg.connect(_owner(state))
    try:
        return int(await conn.fetchval(sql))
    finally:
        await conn.close()


def _owner(state: Path) -> str:
    return read_database_settings(state).owner_url


def _snapshot_of(state: Path) -> dict[str, object]:
    server = EmbeddedPostgres(state)
    server.start()
    try:
        return asyncio.run(_snapshot(_owner(state)))
    finally:
        server.stop()


def _manifest(backup: Path) -> dict[str, object]:
    with tarfile.open(backup) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        return dict(json.loads(member.read()))


@pytest.fixture
def folder() -> Iterator[Path]:
    """Outside pytest's tmp_path (see tests/test_fleet_up_supervision.py, ``state``)."""
    path = Path(tempfile.mkdtemp(prefix="fleet-backup-test-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _fill(source: Path, during: Path) -> None:
    """Run `fleet up` until the drivers are projected, taking ``during`` meanwhile."""
    output = running(source, free_port())
    try:
        deadline = time.monotonic() + 90
        while asyncio.run(_count(source, "SELECT count(*) FROM drivers")) < 25:
            assert time.monotonic() < deadline, "no drivers projected in 90s"
            time.sleep(0.5)
        beside = _fleet(source, "backup", "--out", str(during))
        assert beside.returncode == 0, beside.stderr
    finally:
        output.stop()


def test_a_backup_restores_into_a_fresh_folder_to_identical_log_and_read_tables(
    folder: Path,
) -> None:
    source, during, after = folder / "source", folder / "during.tar", folder / "after.tar"
    _fill(source, during)
    taken = _fleet(source, "backup", "--out", str(after))
    assert taken.returncode == 0, taken.stderr

    restored = _fleet(folder / "restored", "restore", str(after))
    assert restored.returncode == 0, restored.stderr
    original, copy = _snapshot_of(source), _snapshot_of(folder / "restored")
    manifest = _manifest(after)
    events = len(original["public.event_log"])  # type: ignore[arg-type]
    print(f"\n[backup] {taken.stdout.strip()}\n[backup] {len(original)} tables compared")
    assert events > 0 and len(original["public.drivers"]) >= 25  # type: ignore[arg-type]
    assert copy == original
    assert manifest["event_count"] == events

    # Taken while ingest appended: the dump holds exactly the log the manifest names.
    assert _fleet(folder / "during", "restore", str(during)).returncode == 0
    head = _manifest(during)
    server = EmbeddedPostgres(folder / "during")
    server.start()
    try:
        count = asyncio.run(_count(folder / "during", "SELECT count(*) FROM event_log"))
        top = asyncio.run(_count(folder / "during", "SELECT max(position) FROM event_log"))
    finally:
        server.stop()
    assert (count, top) == (head["event_count"], head["head_position"])


def test_restore_refuses_a_non_empty_folder_and_a_damaged_backup(folder: Path) -> None:
    state = folder / "state"
    state.mkdir()
    (state / "something").write_text("kept")
    backup = folder / "fake.tar"
    with tarfile.open(backup, "w") as tar:
        members = (("manifest.json", b'{"format": 1, "sha256": "0"}'), ("fleet.dump", b"x"))
        for name, text in members:
            path = folder / name
            path.write_bytes(text)
            tar.add(path, arcname=name)

    refused = _fleet(state, "restore", str(backup))
    assert refused.returncode != 0 and "is not empty" in refused.stderr
    assert [p.name for p in state.iterdir()] == ["something"]

    damaged = _fleet(folder / "empty", "restore", str(backup))
    assert damaged.returncode != 0 and "SHA-256" in damaged.stderr
    assert not (folder / "empty").exists()


async def test_a_backup_of_a_configured_database_restores_into_an_empty_one_only(
    superuser_url: str, db: DatabaseSettings, writer_pool: asyncpg.Pool, org_id: UUID, folder: Path
) -> None:
    await append_drivers(writer_pool, org_id, [driver_observation(f"b{i}") for i in range(30)])
    backup, target = folder / "configured.tar", f"fleet_restore_{uuid.uuid4().hex[:8]}"
    taken = await asyncio.to_thread(
        _fleet, folder / "unused", "backup", "--out", str(backup), DATABASE_URL=db.owner_url
    )
    assert taken.returncode == 0, taken.stderr
    admin = await asyncpg.connect(superuser_url)
    try:
        await admin.execute(f'CREATE DATABASE "{target}"')
    finally:
        await admin.close()
    target_url = f"{superuser_url.rsplit('/', 1)[0]}/{target}"  # compose: the owner is superuser

    restored = await asyncio.to_thread(
        _fleet, folder / "unused", "restore", str(backup), DATABASE_URL=target_url
    )
    assert restored.returncode == 0, restored.stderr
    assert await _snapshot(target_url) == await _snapshot(db.owner_url)
    again = await asyncio.to_thread(
        _fleet, folder / "unused", "restore", str(backup), DATABASE_URL=target_url
    )
    assert again.returncode != 0 and "already holds an event log" in again.stderr
