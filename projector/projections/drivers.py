"""drivers: one row per (tenant, provider, driver), the latest observation wins.

A batch is written with one statement: its events are grouped by driver, only the latest of
each driver is decoded (the others cannot change the row, see :func:`latest_row_of`), and
the rows go in as one JSON document (``json_to_recordset``), one upsert for the whole batch.
JSON rather than one array parameter per column: msgspec encodes a batch in microseconds,
where asyncpg's array encoding checked every element against ``collections.abc`` (a quarter
of a rebuild's time). A driver record without a status keeps the one an earlier record of
the same driver gave. The realtime Uber status lives in ``uber_driver_status``, which the
API joins; this projection is the only writer of ``drivers``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from contracts import legacy, uber
from contracts.envelope import EventEnvelope
from projector.projection import grouped, quote_table

_UBER_DRIVER = msgspec.json.Decoder(uber.UberDriver)
_LEGACY_UBER = msgspec.json.Decoder(legacy.LegacyUberDriver)
_ROWS = msgspec.json.Encoder()


class DriverRow(msgspec.Struct, frozen=True):
    """One row of ``drivers``, as the batch upsert reads it (field names = columns)."""

    org_id: UUID
    provider: str
    driver_id: str
    account_id: str
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    status: str | None
    vehicle_ids: list[str]
    first_seen_at: datetime
    updated_at: datetime
    last_position: int
    source: str = "provider"  # or "legacy": the original implementation's row


# A provider's own row always replaces a legacy one, and a legacy row never a provider's.
_UPSERT = """
INSERT INTO {table} AS d (org_id, provider, driver_id, account_id, first_name, last_name, email,
                         phone, status, vehicle_ids, first_seen_at, updated_at, last_position,
                         source)
SELECT * FROM json_to_recordset($1::json)
    AS r(org_id uuid, provider text, driver_id text, account_id text, first_name text,
         last_name text, email text, phone text, status text, vehicle_ids text[],
         first_seen_at timestamptz, updated_at timestamptz, last_position bigint, source text)
ON CONFLICT (org_id, provider, driver_id) DO UPDATE SET
    account_id = excluded.account_id, first_name = excluded.first_name,
    last_name = excluded.last_name, email = excluded.email, phone = excluded.phone,
    status = {status}, vehicle_ids = excluded.vehicle_ids,
    updated_at = excluded.updated_at, last_position = excluded.last_position,
    source = excluded.source
WHERE (d.source = excluded.source AND d.last_position < excluded.last_position)
   OR (d.source = 'legacy' AND excluded.source = 'provider')
"""
KEEP_STATUS = "coalesce(excluded.status, d.status)"
REPLACE_STATUS = "excluded.status"

Fields = tuple[str | None, str | None, str | None, str | None, str | None, list[str]]


def upsert_sql(table: str, status: str) -> str:
    """The batch upsert of drivers rows into ``table`` (``status``: the SET expression)."""
    return _UPSERT.format(table=quote_table(table), status=status)


async def upsert_rows(conn: asyncpg.Connection, sql: str, rows: Sequence[DriverRow]) -> None:
    """Write ``rows`` (one per driver) with one statement."""
    if rows:
        await conn.execute(sql, _ROWS.encode(rows).decode())


def row_provider(event: EventEnvelope) -> str:
    """The provider of the row an event writes: its own, or the one a legacy row stands for."""
    return legacy.STANDS_FOR.get(event.event_type, event.provider)


def driver_key(event: EventEnvelope) -> tuple[object, ...]:
    """The drivers row an event writes (its primary key)."""
    return (event.org_id, row_provider(event), event.entity_id)


def latest_row_of(
    events: Sequence[EventEnvelope], fields: Callable[[EventEnvelope], Fields]
) -> DriverRow:
    """The row the events of one driver (oldest first) leave, as if applied one by one.

    ``fields`` decodes one event into (first_name, last_name, email, phone, status,
    vehicle_ids). The latest event gives every column but two: ``first_seen_at`` is when the
    first of them was observed (the insert, if the row is new), and ``status`` is the latest
    one that is not null (the upsert keeps a status when a record has none). Older events
    are decoded only while the status is still unknown.
    """
    first_seen_at = events[0].observed_at
    # The provider's own events win over the original's rows of the same driver.
    events = [e for e in events if e.provider != legacy.PROVIDER] or events
    last = events[-1]
    first, last_name, email, phone, status, vehicles = fields(last)
    for earlier in reversed(events[:-1]):
        if status is not None:
            break
        status = fields(earlier)[4]
    source = "legacy" if last.provider == legacy.PROVIDER else "provider"
    return DriverRow(
        last.org_id, row_provider(last), last.entity_id, last.account_id, first, last_name,
        email, phone, status, vehicles, first_seen_at, last.observed_at, last.position, source,
    )  # fmt: skip


def _uber_fields(event: EventEnvelope) -> Fields:
    if event.event_type == legacy.UBER_DRIVERS_OBSERVED:
        row = _LEGACY_UBER.decode(event.record)
        return (*row.names(), row.email, None, None, [])
    driver = _UBER_DRIVER.decode(event.record)
    phone = driver.phoneNumber.e164() if driver.phoneNumber else None
    vehicles = [v.vehicleId for v in driver.assignedVehicles or []]
    return (driver.firstName, driver.lastName, driver.email, phone, driver.status, vehicles)


class DriversProjection:
    """Drivers of every provider (Uber so far).

    ``table`` is where the rows go (``drivers``); a replay points a copy of the projection at
    a shadow table with :meth:`retarget`.
    """

    event_types = frozenset({uber.DRIVER_OBSERVED, legacy.UBER_DRIVERS_OBSERVED})

    def __init__(self, name: str = "drivers", *, table: str = "drivers") -> None:
        self.name = name
        self.table = table
        self._upsert = upsert_sql(table, KEEP_STATUS)

    def retarget(self, *, name: str, table: str) -> DriversProjection:
        """The same projection under another checkpoint name, writing into ``table``."""
        return DriversProjection(name, table=table)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Upsert the latest state of each driver of the batch, in one statement."""
        rows = [latest_row_of(group, _uber_fields) for group in grouped(events, driver_key)]
        await upsert_rows(conn, self._upsert, rows)
