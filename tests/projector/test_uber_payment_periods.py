"""driver_payments: a pay-week snapshot and the buckets asked during its week count once.

An endpoint that ignores the asked window answers the pay week's sum to every bucket asked
during the week, whatever hour the bucket names; the snapshot is that sum, once.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import pytest

from contracts import uber
from eventlog.store import (
    Observation,
    append_observations,
    canonical_hash,
    head_position,
    read_types_after,
)
from projector.projections.uber_payments import UberPaymentsProjection
from projector.replay import plan, replay
from projector.runner import ProjectionRunner
from projector.shadow import create_like

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


def bucket(driver: str, hour: datetime, cents: int, asked_week: datetime | None) -> Observation:
    """A bucket asked during the pay week starting at ``asked_week`` (None: a v1 record,
    upcast on read, when the week it was asked in was not recorded)."""
    record: dict[str, object] = {
        "start_time": ms(hour), "end_time": ms(hour) + 3600_000, "payment": entry(driver, cents),
    }  # fmt: skip
    if asked_week is not None:
        record |= {"covers": uber.PAYMENT_COVERS_ASKED, "asked_week": ms(asked_week)}
    raw = json.dumps(record).encode()
    key = f"{driver}:{hour.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    version = 1 if asked_week is None else uber.PAYMENT_OBSERVED_VERSION
    return Observation(key, uber.PAYMENT_OBSERVED, version, raw, canonical_hash(raw))


def week_snapshot(driver: str, cents: int) -> Observation:
    record = {
        "start_time": ms(WEEK_START), "end_time": ms(WEEK_END), "payment": entry(driver, cents),
        "covers": uber.PAYMENT_COVERS_PAY_PERIOD, "asked_week": ms(WEEK_START),
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
    week_before = WEEK_START - timedelta(days=7)
    inside = bucket("D1", datetime(2025, 3, 10, 10, tzinfo=UTC), 2000, WEEK_START)
    # Asked at 04:30 on Monday, catching up the hour before the week: the week's sum too.
    caught_up = bucket("D1", datetime(2025, 3, 10, 2, tzinfo=UTC), 2000, WEEK_START)
    asked_last_week = bucket("D1", datetime(2025, 3, 9, 10, tzinfo=UTC), 700, week_before)
    unknown_week = bucket("D1", datetime(2025, 3, 9, 11, tzinfo=UTC), 100, None)
    other_driver = bucket("D2", datetime(2025, 3, 10, 10, tzinfo=UTC), 300, WEEK_START)
    snapshot = week_snapshot("D1", 5000)
    buckets = [inside, caught_up, asked_last_week, unknown_week, other_driver]
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
        snapshot.entity_id: 5000, asked_last_week.entity_id: 700, unknown_week.entity_id: 100,
        other_driver.entity_id: 300,
    }  # fmt: skip


async def _snapshot_then_buckets(writer_pool: asyncpg.Pool, org_id: UUID) -> None:
    """D1's pay-week snapshot, then 120 buckets asked during that week for each of ten
    drivers (D1 … D10): 1,200 bucket rows, over CopyFirst's least."""
    hours = [WEEK_START + timedelta(hours=h) for h in range(120)]
    await append(writer_pool, org_id, week_snapshot("D1", 5000))
    for driver in ("D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9", "D10"):
        async with writer_pool.acquire() as conn, conn.transaction():
            await append_observations(
                conn, org_id=org_id, provider="uber", account_id="acct", entity_type="payment",
                observed_at=datetime.now(UTC), fetch_id=None,
                observations=[bucket(driver, h, 100, WEEK_START) for h in hours],
            )  # fmt: skip


# What _snapshot_then_buckets leaves in the table: D1's snapshot alone, every other bucket.
KEPT = {"D1": 1} | {f"D{n}": 120 for n in range(2, 11)}


@pytest.fixture
async def payments_table(owner_pool: asyncpg.Pool) -> str:
    """A new table shaped like driver_payments, for one projection of the test's own."""
    table = f"driver_payments_{uuid.uuid4().hex[:8]}"
    async with owner_pool.acquire() as conn:
        await create_like(conn, "driver_payments", table)
    return table


async def _rows_per_driver(pool: asyncpg.Pool, table: str, org_id: UUID) -> dict[str, int]:
    sql = f"SELECT driver_id, count(*) AS n FROM {table} WHERE org_id = $1 GROUP BY 1"  # noqa: S608
    return {r["driver_id"]: r["n"] for r in await pool.fetch(sql, org_id)}


async def test_a_rebuild_copying_its_buckets_in_leaves_out_those_a_snapshot_superseded(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID, payments_table: str
) -> None:
    table = payments_table
    live = UberPaymentsProjection(f"live-{table}", table=table)
    await _snapshot_then_buckets(writer_pool, org_id)
    await ProjectionRunner(owner_pool, None, live).catch_up()  # batches of 500: upserts only
    [unit] = plan([live], table)

    result = await replay(owner_pool, unit)  # one batch: 1,080 buckets to copy in

    assert result.swapped and result.live == result.rebuilt
    assert await _rows_per_driver(owner_pool, table, org_id) == KEPT


async def test_buckets_copied_in_the_batch_after_their_snapshot_are_left_out(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID, payments_table: str
) -> None:
    # The snapshot in one batch, its buckets in the next: the second batch's own snapshots
    # (none) delete nothing, so only leaving them out before the COPY keeps them out.
    table = payments_table
    start = await head_position(owner_pool)
    await _snapshot_then_buckets(writer_pool, org_id)
    projection = UberPaymentsProjection(f"copy-{table}", table=table)

    async with owner_pool.acquire() as conn:
        head = await head_position(conn)
        events = await read_types_after(conn, start, 100_000, [uber.PAYMENT_OBSERVED], head)
        ours = [e for e in events if e.org_id == org_id]
        async with conn.transaction():
            await projection.apply(conn, ours[:1])  # a batch: the snapshot
            await projection.apply(conn, ours[1:])  # the next: 1,200 buckets, copied in

    assert await _rows_per_driver(owner_pool, table, org_id) == KEPT
