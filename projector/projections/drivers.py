"""drivers: one row per (tenant, provider, driver), the latest observation wins."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import msgspec

from contracts import uber
from contracts.envelope import EventEnvelope
from projector.projection import quote_table

_UBER_DRIVER = msgspec.json.Decoder(uber.UberDriver)

_UPSERT = """
INSERT INTO {table} AS d (org_id, provider, driver_id, account_id, first_name, last_name, email,
                         phone, status, vehicle_ids, first_seen_at, updated_at, last_position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)
ON CONFLICT (org_id, provider, driver_id) DO UPDATE SET
    account_id = excluded.account_id, first_name = excluded.first_name,
    last_name = excluded.last_name, email = excluded.email, phone = excluded.phone,
    status = excluded.status, vehicle_ids = excluded.vehicle_ids,
    updated_at = excluded.updated_at, last_position = excluded.last_position
WHERE d.last_position < excluded.last_position
"""


def _uber_row(event: EventEnvelope) -> tuple[object, ...]:
    driver = _UBER_DRIVER.decode(event.record)
    phone = driver.phoneNumber.e164() if driver.phoneNumber else None
    vehicles = [v.vehicleId for v in driver.assignedVehicles or []]
    return (
        event.org_id,
        event.provider,
        event.entity_id,
        event.account_id,
        driver.firstName,
        driver.lastName,
        driver.email,
        phone,
        driver.status,
        vehicles,
        event.observed_at,
        event.position,
    )


class DriversProjection:
    """Drivers of every provider (Uber so far).

    ``table`` is where the rows go (``drivers``); a replay points a copy of the projection at
    a shadow table with :meth:`retarget`.
    """

    event_types = frozenset({uber.DRIVER_OBSERVED})

    def __init__(self, name: str = "drivers", *, table: str = "drivers") -> None:
        self.name = name
        self.table = table
        self._upsert = _UPSERT.format(table=quote_table(table))

    def retarget(self, *, name: str, table: str) -> DriversProjection:
        """The same projection under another checkpoint name, writing into ``table``."""
        return DriversProjection(name, table=table)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        await conn.executemany(self._upsert, [_uber_row(e) for e in events])
