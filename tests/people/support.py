"""Drivers and decisions for the people tests, appended the way ingest and the API do."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from contracts import bolt, people, uber
from eventlog.decisions import append_decision
from eventlog.store import Observation, append_observations, canonical_hash
from projector.people.sql import TABLES
from projector.projections.people import PeopleProjection
from projector.runner import ProjectionRunner
from tests.helpers import secured_copies

MANAGER = UUID("00000000-0000-4000-8000-00000000aaaa")


def uber_driver(driver_id: str, first: str, last: str, **extra: object) -> Observation:
    """An Uber driver record (``phone`` given as Uber splits it: +33 and the rest)."""
    fields: dict[str, object] = {"driverId": driver_id, "firstName": first, "lastName": last}
    if "phone" in extra:
        fields["phoneNumber"] = {"countryCode": "+33", "number": extra.pop("phone")}
    fields.update(extra)
    return _observation(driver_id, uber.DRIVER_OBSERVED, fields)


def bolt_driver(driver_id: str, first: str, last: str, **extra: object) -> Observation:
    """A Bolt driver record; ``plate`` becomes its active vehicle's registration."""
    fields: dict[str, object] = {"driver_uuid": driver_id, "first_name": first, "last_name": last}
    if "plate" in extra:
        fields["active_vehicle"] = {"id": 1, "reg_number": extra.pop("plate")}
    fields.update(extra)
    return _observation(driver_id, bolt.DRIVER_OBSERVED, fields)


def _observation(driver_id: str, event_type: str, fields: dict[str, object]) -> Observation:
    record = json.dumps(fields).encode()
    return Observation(driver_id, event_type, 1, record, canonical_hash(record))


async def observe(writer: asyncpg.Pool, org_id: UUID, *drivers: Observation) -> None:
    """Append each driver as its provider's poller would (one page per provider)."""
    for provider in ("uber", "bolt"):
        page = [d for d in drivers if d.event_type.startswith(provider)]
        if not page:
            continue
        async with writer.acquire() as conn, conn.transaction():
            await append_observations(
                conn, org_id=org_id, provider=provider, account_id="acct",
                entity_type="driver", observed_at=datetime.now(UTC), fetch_id=None,
                observations=page,
            )  # fmt: skip


async def decide(writer: asyncpg.Pool, org_id: UUID, decision: people.Decided) -> int:
    """Append one decision (what the API does, without its checks)."""
    async with writer.acquire() as conn, conn.transaction():
        return await append_decision(conn, org_id, decision, datetime.now(UTC))


async def own_people_tables(owner: asyncpg.Pool) -> PeopleProjection:
    """The people projection writing into tables of the test's own, secured like the live."""
    suffix, targets = await secured_copies(owner, TABLES)
    return PeopleProjection(f"people-{suffix}", tables=targets)


async def catch_up(owner: asyncpg.Pool, projection: PeopleProjection) -> None:
    await ProjectionRunner(owner, None, projection).catch_up()
