"""``fleet import legacy``: the original implementation's rows appended to the event log.

Each page of a table is stored like a provider page (ingest/pages.py): the read is recorded
as a call of the ``legacy`` source with the page's JSON as its response body, refused rows
go to quarantine with their reason, and each row that is new or changed becomes one
``legacy.<table>.observed`` event, all in one transaction. A second import appends nothing:
change detection finds every row unchanged. ``--dry-run`` does all of it in one transaction
that is rolled back, so its counts are exactly what a real import would do.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg
import msgspec

from contracts.legacy import NOT_IMPORTED, PROVIDER, TABLES, TEST_ROWS, VERSION, LegacyTable
from core.config import DatabaseSettings
from eventlog.db import create_pool
from eventlog.fetches import ProviderCall
from ingest.legacy import source
from ingest.pages import Decoded, PollResult, RecordKind, Reject, decode_records, store_page

log = logging.getLogger(__name__)

# Legacy roles (free text, no check) and the role they get here.
ROLE_MAP = {"admin": "admin", "manager": "manager"}
DEFAULT_ROLE = "viewer"


@dataclass
class TableReport:
    """What the import did (or would do) with one table."""

    table: str
    rows: int = 0
    appended: int = 0
    unchanged: int = 0
    refused: int = 0


@dataclass
class ImportReport:
    """Per table, what was imported and refused; what was skipped and why; the users."""

    source: str
    dry_run: bool
    tables: list[TableReport] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    users: list[tuple[str, str]] = field(default_factory=list)

    def lines(self, org: str) -> Iterator[str]:
        """The report as the command prints it."""
        verb = "would import" if self.dry_run else "imported"
        mode = "dry run: nothing written" if self.dry_run else "done"
        yield f"legacy import from {self.source} ({mode})"
        for t in self.tables:
            yield (
                f"  {t.table}: {t.rows} rows, {verb} {t.appended}, unchanged {t.unchanged}, "
                f"refused {t.refused} (quarantine)"
            )
        for table, why in sorted(self.skipped.items()):
            yield f"  {table}: not imported: {why}"
        for email, role in self.users:
            yield (
                f"  re-create: fleet users create --org {org} --email {email} "
                f"--role {ROLE_MAP.get(role, DEFAULT_ROLE)} --password <choose one>"
            )


def _kind(table: LegacyTable) -> RecordKind:
    key = table.primary_key
    return RecordKind(
        table.name, table.event_type, VERSION, table.record, lambda row: str(getattr(row, key))
    )


def _decode(table: LegacyTable, rows: list[bytes]) -> Decoded:
    """Decode every row by its key; the original's connection-test rows are refused."""
    decoded = decode_records([msgspec.Raw(row) for row in rows], _kind(table))
    kept, refused = [], list(decoded.rejects)
    for obs in decoded.observations:
        why = TEST_ROWS.get((table.name, obs.entity_id))
        if why:
            refused.append(Reject(obs.record, f"{table.name}: {why}"))
        else:
            kept.append(obs)
    return Decoded(kept, refused)


def _call(where: str, page: source.Page) -> ProviderCall:
    return ProviderCall(
        provider=PROVIDER,
        method="SELECT",
        endpoint=page.table,
        started_at=page.started_at,
        duration_ms=page.duration_ms,
        status=200,
        body=page.body,
        content_type="application/json",
        params={"database": where, "rows": len(page.rows), "last_key": page.after},
    )


@asynccontextmanager
async def _target(pool: asyncpg.Pool, dry_run: bool) -> AsyncIterator[asyncpg.Connection | None]:
    """A dry run's one connection in one transaction, rolled back at the end; else None."""
    if not dry_run:
        yield None
        return
    async with pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        try:
            yield conn
        finally:
            await tx.rollback()


async def import_legacy(
    source_url: str, pool: asyncpg.Pool, org_id: UUID, *, dry_run: bool = False
) -> ImportReport:
    """Import every table of the original's database that we know, in dependency order."""
    where = source.describe(source_url)
    report = ImportReport(where, dry_run)
    src = await source.connect(source_url)
    try:
        present = await source.tables_present(src)
        report.skipped = {t: why for t, why in NOT_IMPORTED.items() if t in present}
        report.users = await source.users(src, present)
        async with _target(pool, dry_run) as held:
            for table in TABLES:
                if table.name in present:
                    report.tables.append(await _import_table(src, pool, held, org_id, where, table))
    finally:
        await src.close()
    return report


async def _import_table(
    src: asyncpg.Connection,
    pool: asyncpg.Pool,
    held: asyncpg.Connection | None,
    org_id: UUID,
    where: str,
    table: LegacyTable,
) -> TableReport:
    out = TableReport(table.name)
    async for page in source.pages(src, table):
        decoded = _decode(table, page.rows)
        result = await _store(pool, held, org_id, where, table, page, decoded)
        out.rows += result.records
        out.appended += result.appended
        out.refused += result.quarantined
        out.unchanged += len(decoded.observations) - result.appended
    log.info("legacy %s: %s", table.name, out)
    return out


@asynccontextmanager
async def _page_transaction(
    pool: asyncpg.Pool, held: asyncpg.Connection | None
) -> AsyncIterator[asyncpg.Connection]:
    """One page's transaction: a savepoint of the dry run's, or its own on the pool."""
    if held is not None:
        async with held.transaction():
            yield held
        return
    async with pool.acquire() as conn, conn.transaction():
        yield conn


async def _store(
    pool: asyncpg.Pool,
    held: asyncpg.Connection | None,
    org_id: UUID,
    where: str,
    table: LegacyTable,
    page: source.Page,
    decoded: Decoded,
) -> PollResult:
    async with _page_transaction(pool, held) as conn:
        return await store_page(
            conn, org_id=org_id, account_id=where, kind=_kind(table), resource=table.name,
            call=_call(where, page), decoded=decoded,
        )  # fmt: skip


async def import_command(
    db: DatabaseSettings, source_url: str, org: str, *, dry_run: bool
) -> ImportReport:
    """``fleet import legacy``: into the tenant ``org`` (a slug or id), with the writer's role."""
    owner = await asyncpg.connect(db.owner_url)
    try:
        org_id = await owner.fetchval(
            "SELECT org_id FROM orgs WHERE slug = $1 OR org_id::text = $1", org
        )
    finally:
        await owner.close()
    if org_id is None:
        raise LegacyImportError(f"no org {org!r} (give its slug or id)")
    pool = await create_pool(db.writer_url, role=db.writer_role, max_size=2)
    try:
        return await import_legacy(source_url, pool, org_id, dry_run=dry_run)
    finally:
        await pool.close()


class LegacyImportError(Exception):
    """The import cannot start; the message says why."""
