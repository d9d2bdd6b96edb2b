"""bolt_companies and bolt_vehicles: one row per company and per vehicle of a tenant."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import msgspec

from contracts import bolt
from contracts.envelope import EventEnvelope
from projector.projection import quote_table

_COMPANY = msgspec.json.Decoder(bolt.BoltCompany)
_VEHICLE = msgspec.json.Decoder(bolt.BoltVehicle)

# The currency is never taken from an event (Bolt sends none): it keeps its default, EUR,
# unless someone sets it for a company.
_UPSERT_COMPANY = """
INSERT INTO {table} AS c (org_id, company_id, name, first_seen_at, updated_at,
                                 last_position)
VALUES ($1, $2, $3, $4, $4, $5)
ON CONFLICT (org_id, company_id) DO UPDATE SET
    name = coalesce(excluded.name, c.name), updated_at = excluded.updated_at,
    last_position = excluded.last_position
WHERE c.last_position < excluded.last_position
"""

_UPSERT_VEHICLE = """
INSERT INTO {table} AS v (org_id, vehicle_uuid, vehicle_id, company_id, plate, model,
                                year, color, seats, vin, state, first_seen_at, updated_at,
                                last_position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)
ON CONFLICT (org_id, vehicle_uuid) DO UPDATE SET
    vehicle_id = excluded.vehicle_id, company_id = excluded.company_id,
    plate = excluded.plate, model = excluded.model, year = excluded.year,
    color = excluded.color, seats = excluded.seats, vin = excluded.vin,
    state = excluded.state, updated_at = excluded.updated_at,
    last_position = excluded.last_position
WHERE v.last_position < excluded.last_position
"""


def _company_row(event: EventEnvelope) -> tuple[object, ...]:
    company = _COMPANY.decode(event.record)
    return (event.org_id, company.company_id, company.name, event.observed_at, event.position)


def _vehicle_row(event: EventEnvelope) -> tuple[object, ...]:
    v = _VEHICLE.decode(event.record)
    return (
        event.org_id,
        event.entity_id,
        v.id,
        int(event.account_id),
        v.reg_number,
        v.model,
        v.year,
        v.color,
        v.seats,
        v.vin,
        v.state,
        event.observed_at,
        event.position,
    )


class BoltCompaniesProjection:
    """Companies the tenant's Bolt credentials may read."""

    event_types = frozenset({bolt.COMPANY_OBSERVED})

    def __init__(self, name: str = "bolt_companies", *, table: str = "bolt_companies") -> None:
        self.name = name
        self.table = table
        self._upsert = _UPSERT_COMPANY.format(table=quote_table(table))

    def retarget(self, *, name: str, table: str) -> BoltCompaniesProjection:
        """The same projection under another checkpoint name, writing into ``table``."""
        return BoltCompaniesProjection(name, table=table)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Upsert each company."""
        await conn.executemany(self._upsert, [_company_row(e) for e in events])


class BoltVehiclesProjection:
    """Vehicles of every company, latest observation wins."""

    event_types = frozenset({bolt.VEHICLE_OBSERVED})

    def __init__(self, name: str = "bolt_vehicles", *, table: str = "bolt_vehicles") -> None:
        self.name = name
        self.table = table
        self._upsert = _UPSERT_VEHICLE.format(table=quote_table(table))

    def retarget(self, *, name: str, table: str) -> BoltVehiclesProjection:
        """The same projection under another checkpoint name, writing into ``table``."""
        return BoltVehiclesProjection(name, table=table)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Upsert each vehicle."""
        await conn.executemany(self._upsert, [_vehicle_row(e) for e in events])
