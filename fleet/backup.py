"""`fleet backup` and `fleet restore`: the event log is the one thing that cannot be rebuilt.

A backup is one tar file holding two members:

- ``fleet.dump``: ``pg_dump --format=custom`` of the whole database (compressed), taken by
  PostgreSQL's own tool from the embedded wheel (also against a configured server: pg_dump
  reads servers older than itself);
- ``manifest.json``: the log's head position and event count, the last migration applied,
  the time, and the dump's size and SHA-256.

The manifest and the dump describe the same moment: the facts are read in a repeatable-read
transaction whose snapshot pg_dump is given (``--snapshot``), while appends go on. A restore
checks the SHA-256 first, restores into the embedded server of an empty state folder, or a
configured database that holds no log yet (never over data), and checks the restored log
against the manifest.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import asyncpg

from core.config import ConfigError, database_configured, load_database, state_dir
from core.state import API_ROLE, WRITER_ROLE, load_secrets, read_database_settings
from fleet.database import migrate, provision
from fleet.lifetime import StateLock
from fleet.postgres import EmbeddedPostgres, postgres_tool

FORMAT = 1
DUMP = "fleet.dump"
MANIFEST = "manifest.json"

_FACTS = """
SELECT (SELECT coalesce(max(position), 0) FROM event_log) AS head_position,
       (SELECT count(*) FROM event_log) AS event_count,
       (SELECT max(migration_id) FROM _yoyo_migration) AS migration
"""


class BackupError(Exception):
    """A backup cannot be written, or a file cannot be restored; the message says why."""


def default_name(now: datetime | None = None) -> Path:
    return Path(f"fleet-{(now or datetime.now(UTC)):%Y%m%dT%H%M%SZ}.tar")


async def log_facts(conn: asyncpg.Connection) -> dict[str, Any]:
    """The log's head position and event count, and the last migration applied."""
    row = await conn.fetchrow(_FACTS)
    assert row is not None
    return dict(row)


async def backup(owner_url: str, out: Path) -> dict[str, Any]:
    """Write the backup of the database at ``owner_url`` to ``out``; return its manifest."""
    conn = await asyncpg.connect(owner_url)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
            facts = await log_facts(conn)
            with tempfile.TemporaryDirectory(prefix="fleet-backup-") as work:
                dump = Path(work) / DUMP
                # The transaction stays open while pg_dump runs: the snapshot lives with it.
                args = ["--format=custom", f"--snapshot={snapshot}", f"--file={dump}"]
                await _run("pg_dump", args, owner_url)
                manifest = _manifest(facts, dump)
                _write_tar(out, dump, manifest)
    finally:
        await conn.close()
    return manifest


def _manifest(facts: dict[str, Any], dump: Path) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        **facts,
        "dump": DUMP,
        "dump_bytes": dump.stat().st_size,
        "sha256": _sha256(dump),
    }


def _write_tar(out: Path, dump: Path, manifest: dict[str, Any]) -> None:
    """Write to a temporary name and rename: a backup file is whole or absent."""
    partial = out.with_name(out.name + ".partial")
    with tarfile.open(partial, "w") as tar:
        text = json.dumps(manifest, indent=2).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime = len(text), int(datetime.now(UTC).timestamp())
        tar.addfile(info, io.BytesIO(text))
        tar.add(dump, arcname=DUMP)
    partial.replace(out)


def read_backup(file: Path, into: Path) -> tuple[dict[str, Any], Path]:
    """The manifest, and the dump extracted into ``into`` once its SHA-256 matches."""
    try:
        with tarfile.open(file) as tar:
            manifest = json.loads(_member(tar, MANIFEST))
            dump = into / DUMP
            dump.write_bytes(_member(tar, DUMP))
    except (OSError, tarfile.TarError, ValueError) as exc:
        raise BackupError(f"{file} is not a readable fleet backup: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{file}: backup format {manifest.get('format')!r}, expected {FORMAT}")
    if _sha256(dump) != manifest.get("sha256"):
        raise BackupError(f"{file}: the dump's SHA-256 does not match its manifest (damaged)")
    return manifest, dump


def _member(tar: tarfile.TarFile, name: str) -> bytes:
    member = tar.extractfile(name)
    if member is None:
        raise ValueError(f"no {name}")
    return member.read()


async def restore_dump(dump: Path, owner_url: str, manifest: dict[str, Any]) -> None:
    """pg_restore in one transaction (all or nothing), then check the log's head and count."""
    await _run("pg_restore", ["--exit-on-error", "--single-transaction", str(dump)], owner_url)
    conn = await asyncpg.connect(owner_url)
    try:
        facts = await log_facts(conn)
    finally:
        await conn.close()
    expected = {key: manifest[key] for key in ("head_position", "event_count")}
    if {key: facts[key] for key in expected} != expected:
        raise BackupError(f"the restored log does not match the manifest: {facts} != {expected}")


async def _run(tool: str, args: list[str], url: str) -> None:
    """A PostgreSQL client tool on ``url``: the password goes in the environment, not argv."""
    parts = urlsplit(url)
    tool_env = dict(os.environ)
    if parts.password is not None:
        tool_env["PGPASSWORD"] = unquote(parts.password)
    user = f"{parts.username}@" if parts.username else ""
    dsn = urlunsplit(parts._replace(netloc=user + parts.netloc.rsplit("@", 1)[-1]))
    proc = await asyncio.create_subprocess_exec(
        str(postgres_tool(tool)),
        f"--dbname={dsn}",
        "--no-password",
        *args,
        env=tool_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, err = await proc.communicate()
    if proc.returncode != 0:
        raise BackupError(f"{tool} failed ({proc.returncode}): {err.decode(errors='replace')}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def refuse_non_empty(state: Path) -> None:
    """A restore never writes over a state folder that holds anything."""
    if state.exists() and any(state.iterdir()):
        raise ConfigError(
            f"{state} is not empty: restore into a new state folder (set FLEET_STATE_DIR), "
            "then point `fleet up` at it"
        )


def restore(file: Path, env: Mapping[str, str]) -> dict[str, Any]:
    """Restore ``file`` into the embedded server of an empty state folder, or into the
    configured database when it holds no event log yet; never over data."""
    with tempfile.TemporaryDirectory(prefix="fleet-restore-") as work:
        if database_configured(env):
            manifest, dump = read_backup(file, Path(work))
            _restore_configured(load_database(env).owner_url, dump, manifest)
            return manifest
        refuse_non_empty(state_dir(env))
        manifest, dump = read_backup(file, Path(work))
        _restore_embedded(state_dir(env), dump, manifest)
        return manifest


def _restore_embedded(state: Path, dump: Path, manifest: dict[str, Any]) -> None:
    lock = StateLock.acquire(state, "fleet restore")
    server = EmbeddedPostgres(state)
    try:
        port = server.start()
        asyncio.run(provision(server.superuser_url(port), load_secrets(state)))
        owner_url = read_database_settings(state).owner_url
        asyncio.run(restore_dump(dump, owner_url, manifest))
        migrate(owner_url)  # a backup from an older version gets the newer migrations
    finally:
        server.stop()
        lock.release()


# The roles the dump's grants and policies name are cluster-wide, so not in a dump: created
# as the first migration creates them (BYPASSRLS, where allowed, comes with the migrations).
_ROLES = ((WRITER_ROLE, "NOLOGIN"), (API_ROLE, "NOLOGIN NOBYPASSRLS"))


def _restore_configured(owner_url: str, dump: Path, manifest: dict[str, Any]) -> None:
    async def prepare() -> None:
        conn = await asyncpg.connect(owner_url)
        try:
            if await conn.fetchval("SELECT to_regclass('event_log')") is not None:
                raise ConfigError(
                    "the configured database already holds an event log: restore only into "
                    "an empty database (create one, point DATABASE_URL at it)"
                )
            for role, options in _ROLES:
                if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
                    await conn.execute(f"CREATE ROLE {role} {options}")  # our constants
        finally:
            await conn.close()

    asyncio.run(prepare())
    asyncio.run(restore_dump(dump, owner_url, manifest))
    migrate(owner_url)
