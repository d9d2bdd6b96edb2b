"""bolt_state_logs: every driver state change (a log never changes once written)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
import msgspec

from contracts import bolt
from contracts.envelope import EventEnvelope
from projector.projection import quote_table
from projector.rounds import CopyFirst, RowsUpsert

_STATE_LOG = msgspec.json.Decoder(bolt.BoltStateLog)

_UPSERT = """
INSERT INTO {table} AS s (org_id, driver_uuid, created_at, state, company_id,
                                  vehicle_uuid, lat, lng, last_position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (org_id, driver_uuid, created_at, state) DO UPDATE SET
    company_id = excluded.company_id, vehicle_uuid = excluded.vehicle_uuid,
    lat = excluded.lat, lng = excluded.lng, last_position = excluded.last_position
WHERE s.last_position < excluded.last_position
"""


_TYPES = ("uuid", "text", "timestamptz", "text", "bigint", "text", "float8", "float8", "bigint")
_KEY = (("org_id", "uuid"), ("driver_uuid", "text"), ("created_at", "timestamptz"),
        ("state", "text"))  # fmt: skip


def _key(row: tuple[object, ...]) -> tuple[object, ...]:
    """The row's natural key: (org_id, driver_uuid, created_at, state)."""
    return row[:4]


def _always(row: tuple[object, ...]) -> None:
    return None


def _row(event: EventEnvelope) -> tuple[object, ...]:
    log = _STATE_LOG.decode(event.record)
    return (
        event.org_id,
        log.driver_uuid,
        datetime.fromtimestamp(log.created, UTC),
        log.state,
        int(event.account_id),
        log.vehicle_uuid,
        log.lat,
        log.lng,
        event.position,
    )


class BoltStateLogsProjection:
    """State logs of every driver of every company."""

    event_types = frozenset({bolt.STATE_LOG_OBSERVED})

    def __init__(self, name: str = "bolt_state_logs", *, table: str = "bolt_state_logs") -> None:
        self.name = name
        self.table = table
        # reads and writes only its key's row: one statement per round; a newer row replaces
        # an older one (projector/rounds.py)
        sql = _UPSERT.format(table=quote_table(table))
        # a rebuild's new logs copied in (projector/rounds.py, CopyFirst)
        copy = CopyFirst(table, _KEY)
        self._upsert = RowsUpsert(sql, _TYPES, _key, same=_always, copy=copy)

    def retarget(self, *, name: str, table: str) -> BoltStateLogsProjection:
        """The same projection under another checkpoint name, writing into ``table``."""
        return BoltStateLogsProjection(name, table=table)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Insert each log (idempotent on its natural key)."""
        await self._upsert.run(conn, [_row(e) for e in events])
