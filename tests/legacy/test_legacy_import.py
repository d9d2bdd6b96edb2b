"""`fleet import legacy`: the original's rows, both schema variants, into the event log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from uuid import UUID

import asyncpg

from core.config import DatabaseSettings
from ingest.legacy.importer import ImportReport, import_legacy

HERE = Path(__file__).resolve().parent


def counts(report: ImportReport) -> dict[str, tuple[int, int, int]]:
    return {t.table: (t.rows, t.appended, t.refused) for t in report.tables}


async def legacy_events(pool: asyncpg.Pool, org_id: UUID) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT event_type, entity_id, record, fetch_id FROM event_log "
        "WHERE org_id = $1 AND provider = 'legacy' ORDER BY position",
        org_id,
    )


async def test_the_early_variant_imports_every_row_with_its_exact_json(
    alembic_source: str, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    report = await import_legacy(alembic_source, writer_pool, org_id)

    assert counts(report) == {
        "uber_organizations": (1, 1, 0), "uber_drivers": (2, 2, 0), "uber_vehicles": (1, 1, 0),
        "driver_daily_metrics": (3, 3, 0), "driver_payments": (2, 2, 0),
        "bolt_drivers": (2, 1, 1), "bolt_vehicles": (1, 1, 0), "bolt_trips": (1, 1, 0),
        "bolt_earnings": (1, 1, 0),
    }  # fmt: skip
    source = await asyncpg.connect(alembic_source, server_settings={"TimeZone": "UTC"})
    try:
        payment = await source.fetchval(
            "SELECT row_to_json(t)::text FROM driver_payments t WHERE id = 'p-1'"
        )
    finally:
        await source.close()
    events = {
        (e["event_type"], e["entity_id"]): e for e in await legacy_events(writer_pool, org_id)
    }
    assert bytes(events["legacy.driver_payments.observed", "p-1"]["record"]) == payment.encode()
    assert b'"occurred_at":"2024-03-01T23:30:00"' in payment.encode()  # no zone: read as UTC


async def test_each_page_is_recorded_as_a_call_of_the_legacy_source_and_events_point_to_it(
    alembic_source: str, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await import_legacy(alembic_source, writer_pool, org_id)

    calls = await writer_pool.fetch(
        "SELECT f.fetch_id, f.endpoint, f.method, f.params, r.body FROM provider_fetches f "
        "JOIN provider_responses r ON r.content_hash = f.response_hash "
        "WHERE f.org_id = $1 AND f.provider = 'legacy'",
        org_id,
    )
    by_table = {c["endpoint"]: c for c in calls}
    assert by_table["uber_drivers"]["method"] == "SELECT"
    assert "password" not in by_table["uber_drivers"]["params"]
    for event in await legacy_events(writer_pool, org_id):
        table = event["event_type"].split(".")[1]
        call = by_table[table]
        assert event["fetch_id"] == call["fetch_id"]
        assert bytes(event["record"]) in bytes(call["body"])


async def test_a_connection_test_row_is_refused_into_quarantine_with_its_reason(
    alembic_source: str, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await import_legacy(alembic_source, writer_pool, org_id)

    refused = await writer_pool.fetch(
        "SELECT resource, reason, raw FROM quarantine WHERE org_id = $1 AND provider = 'legacy'",
        org_id,
    )
    assert [(r["resource"], r["reason"]) for r in refused] == [
        ("bolt_drivers", "bolt_drivers: a connection-test row, not a driver")
    ]
    assert b'"test-driver-123"' in bytes(refused[0]["raw"])


async def test_a_second_import_appends_nothing(
    head_source: str, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    first = await import_legacy(head_source, writer_pool, org_id)
    second = await import_legacy(head_source, writer_pool, org_id)

    assert sum(t.appended for t in first.tables) == 8
    assert [t.appended for t in second.tables] == [0] * len(second.tables)
    assert [t.unchanged for t in second.tables] == [t.appended for t in first.tables]
    assert len(await legacy_events(writer_pool, org_id)) == 8


async def test_the_later_variant_never_copies_session_cookies_and_lists_users_to_recreate(
    head_source: str, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    report = await import_legacy(head_source, writer_pool, org_id)

    assert set(counts(report)) == {
        "uber_drivers", "bolt_organizations", "bolt_drivers", "bolt_orders", "bolt_state_logs",
        "heetch_drivers", "heetch_earnings",
    }  # fmt: skip
    assert set(report.skipped) == {"heetch_session_cookies", "users", "daily_analytics"}
    assert report.users == [("compta@example.test", "user"), ("gerant@example.test", "admin")]
    lines = "\n".join(report.lines("my-fleet"))
    assert "--email gerant@example.test --role admin" in lines
    assert "--email compta@example.test --role viewer" in lines
    for table, column in (("event_log", "record"), ("provider_responses", "body"),
                          ("quarantine", "raw")):  # fmt: skip
        leaked = await writer_pool.fetchval(
            f"SELECT count(*) FROM {table} WHERE position('SECRET-COOKIE' in "  # noqa: S608
            f"convert_from({column}, 'UTF8')) > 0"
        )
        assert leaked == 0, f"a session cookie reached {table}"


async def test_a_dry_run_reports_what_an_import_would_do_and_writes_nothing(
    head_source: str, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    async def written() -> tuple[int, int, int]:
        row = await writer_pool.fetchrow(
            "SELECT (SELECT count(*) FROM event_log WHERE org_id = $1), "
            "(SELECT count(*) FROM provider_fetches WHERE org_id = $1), "
            "(SELECT count(*) FROM quarantine WHERE org_id = $1)",
            org_id,
        )
        return tuple(row)  # type: ignore[return-value]

    before = await written()
    dry = await import_legacy(head_source, writer_pool, org_id, dry_run=True)
    assert await written() == before
    real = await import_legacy(head_source, writer_pool, org_id)
    assert counts(dry) == counts(real)
    assert "dry run: nothing written" in next(dry.lines("x"))


def test_fleet_import_legacy_prints_its_report(
    head_source: str, db: DatabaseSettings, org_id: UUID, tmp_path: Path
) -> None:
    env = {**os.environ, "DATABASE_URL": db.owner_url, "WRITER_DATABASE_URL": db.writer_url,
           "API_DATABASE_URL": db.api_url, "FLEET_STATE_DIR": str(tmp_path)}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "fleet", "import", "legacy", "--database-url", head_source,
         "--org", str(org_id), "--dry-run"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "bolt_orders: 2 rows, would import 2, unchanged 0, refused 0" in done.stdout
    assert "heetch_session_cookies: not imported: live session secrets" in done.stdout
