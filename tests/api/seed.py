"""Raw history for the audit tests, written the way ingest writes it (as the writer role);
read-model rows (daily figures) as the projections write them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import asyncpg

from contracts.uber import DRIVER_OBSERVED, DRIVER_OBSERVED_VERSION
from eventlog.fetches import ProviderCall, quarantine, record_call
from eventlog.store import Observation, append_observations, canonical_hash
from projector.projections import fleet_days

BODY_TYPE = "application/json; charset=utf-8"


def odd_record(driver_id: str, first: str = "Zoé") -> bytes:
    """A record whose exact bytes matter: spacing, key order and non-ASCII as received."""
    text = f'{{ "lastName" :"Da Silva",\n  "driverId": "{driver_id}", "firstName":"{first}" }}'
    return text.encode()


def call(body: bytes, status: int = 200, started_at: datetime | None = None) -> ProviderCall:
    return ProviderCall(
        provider="uber",
        method="GET",
        endpoint="/v1/vehicle-suppliers/drivers",
        started_at=started_at or datetime.now(UTC),
        duration_ms=42,
        status=status,
        body=body,
        content_type=BODY_TYPE,
        params={"org_id": "acct", "page_size": 50},
    )


async def seed_page(
    writer: asyncpg.Pool,
    org_id: UUID,
    driver_ids: list[str],
    *,
    status: int = 200,
    started_at: datetime | None = None,
) -> tuple[int, list[int], bytes]:
    """One provider call and an event per driver; returns (fetch_id, positions, body)."""
    records = [odd_record(d) for d in driver_ids]
    body = b'{"driverInformation": [' + b", ".join(records) + b"]}"
    observations = [
        Observation(d, DRIVER_OBSERVED, DRIVER_OBSERVED_VERSION, r, canonical_hash(r))
        for d, r in zip(driver_ids, records, strict=True)
    ]
    async with writer.acquire() as conn, conn.transaction():
        fetch_id = await record_call(conn, org_id, call(body, status, started_at))
        positions = await append_observations(
            conn,
            org_id=org_id,
            provider="uber",
            account_id="acct",
            entity_type="driver",
            observed_at=datetime.now(UTC),
            fetch_id=fetch_id,
            observations=observations,
        )
    return fetch_id, positions, body


async def seed_quarantine(writer: asyncpg.Pool, org_id: UUID, raw: bytes, reason: str) -> None:
    async with writer.acquire() as conn:
        await quarantine(
            conn,
            org_id=org_id,
            provider="uber",
            resource="drivers",
            fetch_id=None,
            reason=reason,
            raw=raw,
        )


async def other_org(owner: asyncpg.Pool, org_id: UUID) -> UUID:
    return UUID(
        str(
            await owner.fetchval(
                "INSERT INTO orgs (slug, name) VALUES ($1, 'Other') RETURNING org_id",
                f"o-{org_id.hex[:12]}",
            )
        )
    )


HOUR = timedelta(hours=1)
SEEN_AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


async def seed_driver(
    pool: asyncpg.Pool,
    org_id: UUID,
    provider: str,
    driver_id: str,
    vehicle: str | None = None,
    status: str | None = None,
) -> None:
    """A driver of the read table, as the projector writes it."""
    await pool.execute(
        "INSERT INTO drivers (org_id, provider, driver_id, account_id, first_name, last_name, "
        "status, vehicle_ids, first_seen_at, updated_at, last_position) "
        "VALUES ($1, $2, $3, 'acct', 'Nadia', $4, $5, $6, $7, $7, 1)",
        org_id,
        provider,
        driver_id,
        f"Nom-{driver_id}",
        status,
        [vehicle] if vehicle else [],
        SEEN_AT,
    )


async def seed_named_drivers(
    pool: asyncpg.Pool, org_id: UUID, names: list[tuple[str, str]]
) -> None:
    """Uber drivers of the read table named (first, last), with ids and phones by rank."""
    now = datetime.now(UTC)
    await pool.executemany(
        "INSERT INTO drivers (org_id, provider, driver_id, account_id, first_name, last_name, "
        "phone, first_seen_at, updated_at, last_position) "
        "VALUES ($1, 'uber', $2, 'acct', $3, $4, $5, $6, $6, 1)",
        [
            (org_id, f"{org_id.hex[:6]}-{i:03d}", first, last, f"+3360000{i:04d}", now)
            for i, (first, last) in enumerate(names)
        ],
    )


_UBER_DAY = """
INSERT INTO driver_daily_metrics AS m (org_id, provider, driver_id, day, account_id, trips,
    hours_online, hours_on_trip, earnings_minor, currency, updated_at, last_position)
VALUES ($1, 'uber', $2, $3, 'acct', $4, 8.5, 6.25, $5, 'EUR', $6, 1)
RETURNING {columns}
""".format(columns=fleet_days.UBER.columns("m"))
_BOLT_DAY = """
INSERT INTO bolt_daily_earnings AS e (org_id, driver_uuid, day, company_id, currency, orders,
    gross, commission, net_earnings, tips, tolls, cash_gross, in_app_gross)
VALUES ($1, $2, $3, 70001, 'EUR', $4, $5, $6, $7, 100, 50, $8, $9)
RETURNING {columns}
""".format(columns=fleet_days.BOLT.columns("e"))


async def seed_uber_day(
    pool: asyncpg.Pool, org_id: UUID, driver_id: str, day: date, trips: int, cents: int
) -> None:
    """An Uber driver's day: ``trips`` trips, 8.5 hours online, 6.25 on trip, ``cents``; and
    the fleet's day sums moved as the projection moves them."""
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            _UBER_DAY,
            *(org_id, driver_id, day, trips, cents, SEEN_AT),
        )
        await fleet_days.add_changes(conn, fleet_days.UBER, [], [row])


async def seed_bolt_day(
    pool: asyncpg.Pool, org_id: UUID, driver_uuid: str, day: date, orders: int, gross: int
) -> None:
    """A Bolt driver's day: 20 % commission, 100 of tips, 50 of tolls, a quarter in cash."""
    commission, cash = gross // 5, gross // 4
    money = (gross, commission, gross - commission, cash, gross - cash)
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            _BOLT_DAY,
            *(org_id, driver_uuid, day, orders, *money),
        )
        await fleet_days.add_changes(conn, fleet_days.BOLT, [], [row])
