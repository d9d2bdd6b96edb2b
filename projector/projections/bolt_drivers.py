"""bolt_drivers: Bolt drivers into the shared ``drivers`` table (provider = 'bolt').

A projection of its own (name ``bolt_drivers``, its own checkpoint) rather than a change to
the Uber one: it writes only rows with provider 'bolt', so the two never touch the same row.
``driver_id`` is the ``driver_uuid`` (one per company: the same person in two companies is
two rows), ``account_id`` the company id, ``status`` Bolt's ``state``.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import msgspec

from contracts import bolt, legacy
from contracts.envelope import EventEnvelope
from projector.projection import grouped
from projector.projections.drivers import (
    REPLACE_STATUS,
    DriverRow,
    Fields,
    driver_key,
    latest_row_of,
    upsert_rows,
)
from projector.projections.drivers import upsert_sql as _upsert_sql

_DRIVER = msgspec.json.Decoder(bolt.BoltDriver)
_LEGACY = msgspec.json.Decoder(legacy.LegacyBoltDriver)


def _vehicle_ids(driver: bolt.BoltDriver) -> list[str]:
    vehicle = driver.active_vehicle
    if vehicle is None:
        return []
    key = vehicle.uuid or (str(vehicle.id) if vehicle.id is not None else None)
    return [key] if key else []


def _fields(event: EventEnvelope) -> Fields:
    if event.event_type == legacy.BOLT_DRIVERS_OBSERVED:
        row = _LEGACY.decode(event.record)
        state = None if row.active is None else ("active" if row.active else "inactive")
        return (row.first_name, row.last_name, row.email, row.phone, state, [])
    driver = _DRIVER.decode(event.record)
    return (
        driver.first_name,
        driver.last_name,
        driver.email,
        driver.phone,
        driver.state,
        _vehicle_ids(driver),
    )


def _latest(events: Sequence[EventEnvelope]) -> DriverRow:
    """The row of one driver: Bolt's state replaces the status, even with null; Bolt's own
    events win over the original's rows (see ``latest_row_of``)."""
    own = [e for e in events if e.provider != legacy.PROVIDER] or events
    row = latest_row_of(own[-1:], _fields)
    return msgspec.structs.replace(row, first_seen_at=events[0].observed_at)


class BoltDriversProjection:
    """Bolt drivers, latest observation wins (rows with provider 'bolt' of ``table``)."""

    event_types = frozenset({bolt.DRIVER_OBSERVED, legacy.BOLT_DRIVERS_OBSERVED})

    def __init__(self, name: str = "bolt_drivers", *, table: str = "drivers") -> None:
        self.name = name
        self.table = table
        self._upsert = _upsert_sql(table, REPLACE_STATUS)

    def retarget(self, *, name: str, table: str) -> BoltDriversProjection:
        """The same projection under another checkpoint name, writing into ``table``."""
        return BoltDriversProjection(name, table=table)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Upsert the latest state of each driver; an older event never overwrites a newer."""
        rows = [_latest(group) for group in grouped(events, driver_key)]
        await upsert_rows(conn, self._upsert, rows)
