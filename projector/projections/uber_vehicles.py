"""uber_vehicles: one row per (tenant, vehicle), the latest observation wins."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import msgspec

from contracts import uber
from contracts.envelope import EventEnvelope
from projector.projection import quote_table

_VEHICLE = msgspec.json.Decoder(uber.UberVehicle)

_UPSERT = """
INSERT INTO {table} AS v (org_id, vehicle_id, account_id, plate, make, model, year, vin,
                                color, updated_at, last_position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (org_id, vehicle_id) DO UPDATE SET
    account_id = excluded.account_id, plate = excluded.plate, make = excluded.make,
    model = excluded.model, year = excluded.year, vin = excluded.vin, color = excluded.color,
    updated_at = excluded.updated_at, last_position = excluded.last_position
WHERE v.last_position < excluded.last_position
"""


def _row(event: EventEnvelope) -> tuple[object, ...]:
    vehicle = _VEHICLE.decode(event.record)
    return (
        event.org_id,
        event.entity_id,
        event.account_id,
        vehicle.licensePlate,
        vehicle.make,
        vehicle.model,
        vehicle.year,
        vehicle.vin,
        vehicle.color,
        event.observed_at,
        event.position,
    )


class UberVehiclesProjection:
    """Uber vehicles from ``uber.vehicle.observed``."""

    event_types = frozenset({uber.VEHICLE_OBSERVED})

    def __init__(self, name: str = "uber_vehicles", *, table: str = "uber_vehicles") -> None:
        self.name = name
        self.table = table
        self._upsert = _UPSERT.format(table=quote_table(table))

    def retarget(self, *, name: str, table: str) -> UberVehiclesProjection:
        """The same projection under another checkpoint name, writing into ``table``."""
        return UberVehiclesProjection(name, table=table)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Upsert each vehicle unless a later observation is already there."""
        await conn.executemany(self._upsert, [_row(e) for e in events])
