"""Uber's status read model takes pushed and polled statuses alike: the newest status time wins,
whatever order the two sources reach the log in, and batches do not change the rows."""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import msgspec

from contracts import uber
from contracts.envelope import EventEnvelope
from projector.projections.uber_driver_status import UberDriverStatusProjection

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
