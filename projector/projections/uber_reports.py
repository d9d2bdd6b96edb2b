"""uber_reports: one row per (tenant, report), from ``uber.report.observed``.

The record is ``UberReportRecord``: the U12 report object as Uber sent it, plus the file's
SHA-256 and row count. ``fetch_id`` is the event's own: the download call whose recorded body
is the file (for a FAILED report, the last get-report call). Uber's times are ISO-8601 UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg
import msgspec

from contracts import uber
from contracts.envelope import EventEnvelope
from projector.projection import quote_table

_RECORD = msgspec.json.Decoder(uber.UberReportRecord)
_META = msgspec.json.Decoder(uber.UberReportMeta)

_UPSERT = """
INSERT INTO {table} AS r (org_id, report_id, account_id, report_type, status, failed_reason,
                          start_time, end_time, file_name, row_count, csv_sha256, fetch_id,
                          created_at, completed_at, updated_at, last_position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
ON CONFLICT (org_id, report_id) DO UPDATE SET
    account_id = excluded.account_id, report_type = excluded.report_type,
    status = excluded.status, failed_reason = excluded.failed_reason,
    start_time = excluded.start_time, end_time = excluded.end_time,
    file_name = excluded.file_name, row_count = excluded.row_count,
    csv_sha256 = excluded.csv_sha256, fetch_id = excluded.fetch_id,
    created_at = excluded.created_at, completed_at = excluded.completed_at,
    updated_at = excluded.updated_at, last_position = excluded.last_position
WHERE r.last_position < excluded.last_position
"""


def _time(value: str | None) -> datetime | None:
    """An ISO-8601 UTC time as Uber writes it (``…Z``), or None."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _row(event: EventEnvelope) -> tuple[object, ...]:
    record = _RECORD.decode(event.record)
    meta = _META.decode(record.report)
    return (
        event.org_id,
        event.entity_id,
        event.account_id,
        meta.reportType,
        meta.status,
        meta.failedReason,
        _time(meta.startTime),
        _time(meta.endTime),
        meta.fileName,
        record.row_count,
        record.csv_sha256,
        event.fetch_id,
        _time(meta.createdAt),
        _time(meta.completedAt),
        event.observed_at,
        event.position,
    )


class UberReportsProjection:
    """Uber reports from ``uber.report.observed``; ``retarget`` for ``fleet replay``."""

    event_types = frozenset({uber.REPORT_OBSERVED})

    def __init__(self, name: str = "uber_reports", *, table: str = "uber_reports") -> None:
        self.name = name
        self.table = table
        self._upsert = _UPSERT.format(table=quote_table(table))

    def retarget(self, *, name: str, table: str) -> UberReportsProjection:
        """The same projection under another checkpoint name, writing into ``table``."""
        return UberReportsProjection(name, table=table)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Upsert each report unless a later observation is already there."""
        await conn.executemany(self._upsert, [_row(e) for e in events])
