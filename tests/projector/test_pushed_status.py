"""Uber's status read model takes pushed and polled statuses alike: the newest status time wins,
whatever order the two sources reach the log in, and batches do not change the rows."""

from __future__ import annotations

import itertools
import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import msgspec

from contracts import uber
from contracts.envelope import EventEnvelope
from projector.projections.uber_driver_status import UberDriverStatusProjection, upsert_sql
from projector.projections.uber_driver_status import _row as status_row

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
DRIVER = "d-pushed"


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def polled(status: str, at: datetime, onboarding: str = "ONBOARDING_STATUS_ACTIVE") -> bytes:
    return json.dumps(
        {
            "driverInfo": {"driverUuid": DRIVER},
            "onboardingStatus": onboarding,
            "statusEntries": [{"status": status, "timestamp": _iso(at)}],
            "vehicleInfo": {"licensePlate": "AB-123-CD"},
        }
    ).encode()


def pushed(status: str, at: datetime) -> bytes:
    return json.dumps(
        {
            "event_id": str(uuid.uuid4()),
            "event_type": "REALTIME_STATUS_CHANGE",
            "event_time": int(at.timestamp()),
            "meta": {"org_id": "acct", "driver_id": DRIVER, "status": status},
        }
    ).encode()


# Positions of their own, increasing across calls: a later call's events come later in the
# log (a random base per call could put them before the earlier ones).
_POSITIONS = itertools.count(10**12 + uuid.uuid4().int % 10**9, 1000)


def envelopes(org_id: UUID, records: list[tuple[str, bytes]]) -> list[EventEnvelope]:
    base = next(_POSITIONS)
    return [
        EventEnvelope(
            position=base + i, event_id=uuid.uuid4(), event_type=event_type, schema_version=1,
            provider="uber", org_id=org_id, account_id="acct", entity_id=DRIVER,
            observed_at=T0 + timedelta(minutes=i), recorded_at=T0 + timedelta(minutes=i),
            fetch_id=None, record=msgspec.Raw(record),
        )
        for i, (event_type, record) in enumerate(records)
    ]  # fmt: skip


async def _row(pool: asyncpg.Pool, org_id: UUID) -> asyncpg.Record:
    return await pool.fetchrow(
        "SELECT status, status_at, onboarding_status, license_plate FROM uber_driver_status "
        "WHERE org_id = $1",
        org_id,
    )


async def _apply(pool: asyncpg.Pool, events: list[EventEnvelope], batch: int) -> None:
    projection = UberDriverStatusProjection()
    async with pool.acquire() as conn:
        for start in range(0, len(events), batch):
            async with conn.transaction():
                await projection.apply(conn, events[start : start + batch])


POLL, PUSH = uber.DRIVER_STATUS_OBSERVED, uber.DRIVER_STATUS_PUSHED


async def test_a_pushed_status_replaces_an_older_polled_one_and_keeps_its_onboarding_and_plate(
    writer_pool: asyncpg.Pool,
) -> None:
    org = uuid.uuid4()
    events = envelopes(
        org,
        [
            (POLL, polled("DRIVER_STATUS_ONLINE", T0)),
            (PUSH, pushed("DRIVER_STATUS_ONTRIP", T0 + timedelta(seconds=30))),
        ],
    )

    await _apply(writer_pool, events, batch=10)

    row = await _row(writer_pool, org)
    assert (row["status"], row["status_at"]) == ("DRIVER_STATUS_ONTRIP", T0 + timedelta(seconds=30))
    assert (row["onboarding_status"], row["license_plate"]) == (
        "ONBOARDING_STATUS_ACTIVE",
        "AB-123-CD",
    )


async def test_a_push_older_than_the_status_there_never_overwrites_it(
    writer_pool: asyncpg.Pool,
) -> None:
    org = uuid.uuid4()
    late_retry = pushed("DRIVER_STATUS_OFFLINE", T0 - timedelta(minutes=20))
    events = envelopes(org, [(POLL, polled("DRIVER_STATUS_ONLINE", T0)), (PUSH, late_retry)])

    await _apply(writer_pool, events, batch=10)

    row = await _row(writer_pool, org)
    assert (row["status"], row["status_at"]) == ("DRIVER_STATUS_ONLINE", T0)


async def test_a_later_poll_wins_only_when_its_status_is_newer_than_the_push(
    writer_pool: asyncpg.Pool,
) -> None:
    org = uuid.uuid4()
    push_at = T0 + timedelta(minutes=5)
    events = envelopes(
        org,
        [
            (PUSH, pushed("DRIVER_STATUS_ONTRIP", push_at)),
            (POLL, polled("DRIVER_STATUS_ONLINE", T0, onboarding="ONBOARDING_STATUS_WAITLIST")),
        ],
    )
    newer_poll = envelopes(
        org, [(POLL, polled("DRIVER_STATUS_OFFLINE", push_at + timedelta(minutes=1)))]
    )

    await _apply(writer_pool, events, batch=10)
    stale = await _row(writer_pool, org)
    await _apply(writer_pool, newer_poll, batch=10)
    fresh = await _row(writer_pool, org)

    assert (stale["status"], stale["status_at"]) == ("DRIVER_STATUS_ONTRIP", push_at)
    assert stale["onboarding_status"] == "ONBOARDING_STATUS_WAITLIST"  # the poll's own fields
    assert fresh["status"] == "DRIVER_STATUS_OFFLINE"


async def test_the_rows_are_the_same_whatever_the_batches(writer_pool: asyncpg.Pool) -> None:
    at = [T0 + timedelta(minutes=m) for m in range(6)]
    records = [
        (POLL, polled("DRIVER_STATUS_ONLINE", at[1])),
        (PUSH, pushed("DRIVER_STATUS_ONTRIP", at[3])),
        (PUSH, pushed("DRIVER_STATUS_OFFLINE", at[0])),
        (POLL, polled("DRIVER_STATUS_ONLINE", at[2], onboarding="ONBOARDING_STATUS_PENDING")),
        (PUSH, pushed("DRIVER_STATUS_ONLINE", at[5])),
        (POLL, polled("DRIVER_STATUS_ONTRIP", at[4])),
    ]
    whole, one_by_one = uuid.uuid4(), uuid.uuid4()

    await _apply(writer_pool, envelopes(whole, records), batch=len(records))
    await _apply(writer_pool, envelopes(one_by_one, records), batch=1)

    assert await _row(writer_pool, whole) == await _row(writer_pool, one_by_one)
    assert (await _row(writer_pool, whole))["status"] == "DRIVER_STATUS_ONLINE"
    history = (
        "SELECT status_at, status FROM uber_driver_status_history WHERE org_id = $1 ORDER BY 1, 2"
    )
    assert await writer_pool.fetch(history, whole) == await writer_pool.fetch(history, one_by_one)


def _untimed(driver: str) -> bytes:
    """A poll of a driver Uber did not track: no status entries (OFFLINE, no time)."""
    return json.dumps({"driverInfo": {"driverUuid": driver}, "statusEntries": []}).encode()


def _random_events(org_id: UUID, rng: random.Random, n: int) -> list[EventEnvelope]:
    """Polls (timed or not) and pushes of a dozen drivers at a few status times (ties)."""
    base = next(_POSITIONS)
    events = []
    for i in range(n):
        driver, at = f"d-{rng.randrange(12)}", T0 + timedelta(minutes=rng.randrange(4))
        status = rng.choice(["DRIVER_STATUS_ONLINE", "DRIVER_STATUS_ONTRIP"])
        kind = rng.choice([POLL, POLL, PUSH, PUSH, "untimed"])
        if kind == PUSH:
            record = pushed(status, at).replace(DRIVER.encode(), driver.encode())
        elif kind == POLL:
            record = polled(status, at, onboarding=rng.choice(["A", "B"]))
            record = record.replace(DRIVER.encode(), driver.encode())
        else:
            record = _untimed(driver)
        events.append(
            EventEnvelope(
                position=base + i, event_id=uuid.uuid4(),
                event_type=PUSH if kind == PUSH else POLL, schema_version=1, provider="uber",
                org_id=org_id, account_id="acct", entity_id=driver,
                observed_at=T0 + timedelta(minutes=i), recorded_at=T0, fetch_id=None,
                record=msgspec.Raw(record),
            )
        )  # fmt: skip
    return events


async def _statuses(pool: asyncpg.Pool, org_id: UUID) -> list[tuple[object, ...]]:
    rows = await pool.fetch(
        "SELECT driver_id, account_id, status, status_at, onboarding_status, license_plate, "
        "updated_at, last_position FROM uber_driver_status WHERE org_id = $1 ORDER BY driver_id",
        org_id,
    )
    return [tuple(r) for r in rows]


async def test_a_folded_batch_leaves_the_rows_the_single_row_upsert_leaves(
    writer_pool: asyncpg.Pool,
) -> None:
    rng = random.Random(7)
    folded_org, upserted_org = uuid.uuid4(), uuid.uuid4()
    events = _random_events(folded_org, rng, 300)
    same = [msgspec.structs.replace(e, org_id=upserted_org) for e in events]
    redelivered = events[100:150]  # a batch again, after newer ones: older in the log

    again = [msgspec.structs.replace(e, org_id=upserted_org) for e in redelivered]
    async with writer_pool.acquire() as conn, conn.transaction():
        for event in [*same, *again]:
            sql = upsert_sql("uber_driver_status", pushed=event.event_type == PUSH)
            await conn.execute(sql, *status_row(event))
    await _apply(writer_pool, events, batch=rng.randrange(5, 30))
    await _apply(writer_pool, redelivered, batch=30)

    assert await _statuses(writer_pool, folded_org) == await _statuses(writer_pool, upserted_org)
    assert {r[2] for r in await _statuses(writer_pool, folded_org)} != {"DRIVER_STATUS_OFFLINE"}
