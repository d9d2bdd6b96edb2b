"""driver_payments: a pay-week snapshot and hourly buckets of the same week count once."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import pytest

from contracts import uber
from eventlog.store import Observation, append_observations, canonical_hash
from projector.projections.uber_payments import UberPaymentsProjection
from projector.runner import ProjectionRunner

WEEK_START = datetime(2025, 3, 10, 3, tzinfo=UTC)  # Monday 04:00 in Paris
WEEK_END = datetime(2025, 3, 17, 3, tzinfo=UTC)


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def entry(driver: str, cents: int) -> dict[str, object]:
    money = {"amountE5": cents * 1000, "currencyCode": "EUR"}
    return {
        "earnerInfo": {"uuid": driver},
        "paymentBreakdowns": [{"categoryName": "earnings", "amount": money}],
    }


def bucket_v1(driver: str, hour: datetime, cents: int) -> Observation:
    """A bucket as the poller wrote it before v2 (upcast to ``covers = asked`` on read)."""
    record = {
        "start_time": ms(hour),
        "end_time": ms(hour) + 3600_000,
        "payment": entry(driver, cents),
    }
    raw = json.dumps(record).encode()
    key = f"{driver}:{hour.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    return Observation(key, uber.PAYMENT_OBSERVED, 1, raw, canonical_hash(raw))


def week_snapshot(driver: str, cents: int) -> Observation:
    record = {
        "start_time": ms(WEEK_START), "end_time": ms(WEEK_END), "payment": entry(driver, cents),
        "covers": uber.PAYMENT_COVERS_PAY_PERIOD,
    }  # fmt: skip
    raw = json.dumps(record).encode()
    key = f"{driver}:period:{WEEK_START.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    return Observation(key, uber.PAYMENT_OBSERVED, 2, raw, canonical_hash(raw))


async def append(pool: asyncpg.Pool, org_id: UUID, obs: Observation) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await append_observations(
            conn, org_id=org_id, provider="uber", account_id="acct", entity_type="payment",
            observed_at=datetime.now(UTC), fetch_id=None, observations=[obs],
        )  # fmt: skip


@pytest.mark.parametrize("snapshot_first", [False, True], ids=["buckets-first", "snapshot-first"])
@pytest.mark.parametrize("one_batch", [True, False], ids=["one-batch", "event-by-event"])
async def test_a_pay_week_snapshot_supersedes_the_buckets_of_its_driver_and_week(
    writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID,
    snapshot_first: bool, one_batch: bool,
) -> None:  # fmt: skip
    inside = bucket_v1("D1", datetime(2025, 3, 10, 10, tzinfo=UTC), 2000)
    week_before = bucket_v1("D1", datetime(2025, 3, 9, 10, tzinfo=UTC), 700)
    other_driver = bucket_v1("D2", datetime(2025, 3, 10, 10, tzinfo=UTC), 300)
    snapshot = week_snapshot("D1", 5000)
    buckets = [inside, week_before, other_driver]
    ordered = [snapshot, *buckets] if snapshot_first else [*buckets, snapshot]
    projection = UberPaymentsProjection(f"uber_payments-{uuid.uuid4().hex[:8]}")
    runner = ProjectionRunner(writer_pool, None, projection)

    for obs in ordered:
        await append(writer_pool, org_id, obs)
        if not one_batch:
            await runner.catch_up()
    await runner.catch_up()

    rows = await owner_pool.fetch(
        "SELECT payment_key, amount_minor FROM driver_payments WHERE org_id = $1", org_id
    )
    assert {r["payment_key"]: r["amount_minor"] for r in rows} == {
        snapshot.entity_id: 5000, week_before.entity_id: 700, other_driver.entity_id: 300
    }  # fmt: skip
