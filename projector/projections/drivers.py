"""drivers: one row per (tenant, provider, driver), the latest observation wins."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import msgspec

from contracts import uber
from contracts.envelope import EventEnvelope

_UBER_DRIVER = msgspec.json.Decoder(uber.UberDriver)

_UPSERT = """
INSERT INTO drivers AS d (org_id, provider, driver_id, account_id, first_name, last_name, email,
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
    """Drivers of every provider (Uber so far)."""

    event_types = frozenset({uber.DRIVER_OBSERVED})

    def __init__(self, name: str = "drivers") -> None:
        self.name = name

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        await conn.executemany(_UPSERT, [_uber_row(e) for e in events])
