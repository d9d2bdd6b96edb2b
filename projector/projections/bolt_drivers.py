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

from contracts import bolt
from contracts.envelope import EventEnvelope

_DRIVER = msgspec.json.Decoder(bolt.BoltDriver)

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


def _vehicle_ids(driver: bolt.BoltDriver) -> list[str]:
    vehicle = driver.active_vehicle
    if vehicle is None:
        return []
    key = vehicle.uuid or (str(vehicle.id) if vehicle.id is not None else None)
    return [key] if key else []


def _row(event: EventEnvelope) -> tuple[object, ...]:
    driver = _DRIVER.decode(event.record)
    return (
        event.org_id,
        event.provider,
        event.entity_id,
        event.account_id,
        driver.first_name,
        driver.last_name,
        driver.email,
        driver.phone,
        driver.state,
        _vehicle_ids(driver),
        event.observed_at,
        event.position,
    )


class BoltDriversProjection:
    """Bolt drivers, latest observation wins."""

    event_types = frozenset({bolt.DRIVER_OBSERVED})

    def __init__(self, name: str = "bolt_drivers") -> None:
        self.name = name

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Upsert each driver; an older event never overwrites a newer one."""
        await conn.executemany(_UPSERT, [_row(e) for e in events])
