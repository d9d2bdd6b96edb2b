"""Weekly settlements: every person's draft of a week, and one person's draft after new data.

Goals (issue 16): the drafts of a 1,500-driver fleet's week, with 30 days of data, in under
2 s; one person's draft updated within 50 ms of a new event. Beside the drafts computed
(cold), the same week read from the kept drafts (warm: what the list reads once a week's
drafts are kept and nothing changed, docs/SETTLEMENTS.md "Kept drafts"; issue 19). The
baseline, measured in the same run on the same rows: a plain SQL sum of the same amounts
(Uber's transactions and Bolt's net earnings in each platform's week, per driver), which is
what a spreadsheet export would add up and what the drafts do on top of it: people and
identities, schemes, lines, last week's balance, regularisations, trip counts, hours,
per-line sources.

The rows are written straight into the read tables, as the projections would: 1,500 people,
each on Uber and Bolt, five trips a day on each over 30 days, Uber's daily metrics, and one
trip in twenty tipped again three days later (a late tip counts in its trip's week). "A new
event" is one more Uber transaction of the person in the week, inserted as the projection
applies it; the projection's own lag (log to read table) is ``bench_lag.py``'s figure.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
from _harness import embedded, median, new_org, percentile, report, scaled

from contracts.settlement import Rules
from contracts.weeks import IsoWeek, money_window
from query_api.kept_drafts import Keeper
from query_api.settlements import load_week

WEEK = IsoWeek(2026, 10)  # Monday 2 March 2026; the data runs 30 days up to Sunday 15 March
FIRST_DAY = date(2026, 2, 14)
DAYS = 30
TRIPS_A_DAY = 5
RULES = Rules()

_SUMS = """
SELECT (SELECT coalesce(sum(amount_minor), 0) FROM uber_transactions
        WHERE org_id = $1 AND driver_id = ANY($2) AND processed_at >= $3 AND processed_at < $4)
     + (SELECT coalesce(sum(net_earnings), 0) FROM bolt_orders
        WHERE org_id = $1 AND driver_uuid = ANY($5)
          AND coalesce(price_reviewed_at, finished_at, cancelled_at) >= $6
          AND coalesce(price_reviewed_at, finished_at, cancelled_at) < $7)
"""
_TXN_COLUMNS = ("org_id", "transaction_id", "account_id", "driver_id", "trip_id", "processed_at",
                "description", "amount_minor", "currency", "breakdown", "updated_at",
                "last_position")  # fmt: skip
_ORDER_COLUMNS = ("org_id", "order_reference", "company_id", "driver_uuid", "status",
                  "payment_method", "finished_at", "price_reviewed_at", "currency", "ride_price",
                  "tip", "commission", "net_earnings", "earnings_day", "updated_at",
                  "last_position")  # fmt: skip


def _tree(fare: int, tip: int) -> str:
    leaf = '{{"category": "{}", "amount_minor": {}, "children": []}}'
    parts = [leaf.format("fare", fare), leaf.format("service_fee", -fare // 4)] if fare else []
    if tip:
        parts.append(leaf.format("tip", tip))
    return "[" + ", ".join(parts) + "]"


def _rows(org: UUID, n: int, rng: random.Random) -> tuple[list[Any], list[Any], list[Any]]:
    """One person's Uber transactions, Bolt orders and Uber daily metrics."""
    uber, bolt, now = f"uber-{n:05d}", f"bolt-{n:05d}", datetime(2026, 3, 16, tzinfo=UTC)
    txns: list[Any] = []
    orders: list[Any] = []
    metrics: list[Any] = []
    for d in range(DAYS):
        day = FIRST_DAY + timedelta(days=d)
        start = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
        for k in range(TRIPS_A_DAY):
            at = start + timedelta(minutes=40 * k + rng.randrange(30))
            fare, trip = rng.randrange(900, 4500), str(uuid.uuid4())
            txns.append((org, str(uuid.uuid4()), "acct", uber, trip, at, "tripCompleteOrder",
                         fare - fare // 4, "EUR", _tree(fare, 0), now, 1))  # fmt: skip
            if rng.random() < 0.05:  # a late tip, three days on
                txns.append((org, str(uuid.uuid4()), "acct", uber, trip, at + timedelta(days=3),
                             "tip", 200, "EUR", _tree(0, 200), now, 1))  # fmt: skip
            paid = at + timedelta(minutes=20)
            price = rng.randrange(900, 4500)
            orders.append((org, uuid.uuid4().hex, 70001, bolt, "finished",
                           "cash" if rng.random() < 0.15 else "card", at, paid, "EUR", price, 0,
                           price // 5, price - price // 5, day, now, 1))  # fmt: skip
        metrics.append((org, "uber", uber, day, "acct", TRIPS_A_DAY, 6.5, 4.25, now, 1))
    return txns, orders, metrics


async def seed(pool: asyncpg.Pool, org: UUID, people: int) -> list[tuple[UUID, str, str]]:
    """``people`` people on both platforms, with 30 days of money; (person, uber, bolt) ids."""
    rng = random.Random(16)
    who = [(uuid.UUID(int=n + 1), f"uber-{n:05d}", f"bolt-{n:05d}") for n in range(people)]
    now = datetime(2026, 3, 16, tzinfo=UTC)
    txns: list[Any] = []
    orders: list[Any] = []
    metrics: list[Any] = []
    for n in range(people):
        t, o, m = _rows(org, n, rng)
        txns += t
        orders += o
        metrics += m
    persons = [(org, p, f"Personne {i:05d}", now, now, 1) for i, (p, _, _) in enumerate(who)]
    identities = [
        (org, f"{provider}:{driver}", provider, driver, "acct", p, "automatic", now, now, 1)
        for p, u, b in who for provider, driver in (("uber", u), ("bolt", b))
    ]  # fmt: skip
    async with pool.acquire() as conn:
        await conn.copy_records_to_table(
            "people", records=persons,
            columns=("org_id", "person_id", "display_name", "created_at", "updated_at",
                     "last_position"))  # fmt: skip
        await conn.copy_records_to_table(
            "people_identities", records=identities,
            columns=("org_id", "identity_id", "provider", "driver_id", "account_id", "person_id",
                     "linked_by", "first_seen_at", "updated_at", "last_position"))  # fmt: skip
        await conn.copy_records_to_table("uber_transactions", records=txns, columns=_TXN_COLUMNS)
        await conn.copy_records_to_table("bolt_orders", records=orders, columns=_ORDER_COLUMNS)
        await conn.copy_records_to_table(
            "driver_daily_metrics", records=metrics,
            columns=("org_id", "provider", "driver_id", "day", "account_id", "trips",
                     "hours_online", "hours_on_trip", "updated_at", "last_position"))  # fmt: skip
        await conn.execute("VACUUM ANALYZE")
    print(f"seeded {people} people: {len(txns):,} Uber transactions, {len(orders):,} Bolt orders")
    return who


async def timed(runs: int, work: Callable[[], Awaitable[object]]) -> list[float]:
    """``work`` run ``runs`` times, each in milliseconds (one warm-up run first)."""
    await work()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        await work()
        out.append((time.perf_counter() - start) * 1000)
    return out


async def plain_sum(conn: asyncpg.Connection, org: UUID, who: list[tuple[UUID, str, str]]) -> int:
    """The baseline: the same amounts added up by SQL, nothing else."""
    uber, bolt = (
        money_window(RULES.boundaries, "uber", WEEK),
        money_window(RULES.boundaries, "bolt", WEEK),
    )
    total: int = await conn.fetchval(_SUMS, org, [u for _, u, _ in who], *uber,
                                     [b for _, _, b in who], *bolt)  # fmt: skip
    return total


async def one_person(
    conn: asyncpg.Connection, org: UUID, person: tuple[UUID, str, str], n: int
) -> float:
    """Milliseconds from a new transaction of ``person`` (as its projection writes it) to
    their draft that counts it."""
    at = datetime(2026, 3, 4, 12, tzinfo=UTC) + timedelta(seconds=n)
    start = time.perf_counter()
    await conn.execute(
        "INSERT INTO uber_transactions (org_id, transaction_id, account_id, driver_id, trip_id, "
        "processed_at, description, amount_minor, currency, breakdown, updated_at, "
        "last_position) VALUES ($1, $2, 'acct', $3, $4, $5, 'tripCompleteOrder', 750, 'EUR', "
        "$6::jsonb, now(), 2)",
        org, str(uuid.uuid4()), person[1], str(uuid.uuid4()), at, _tree(1000, 0),
    )  # fmt: skip
    found = await load_week(conn, org, RULES, WEEK, [person[0]])
    elapsed = (time.perf_counter() - start) * 1000
    draft = found.drafts[person[0]]
    assert draft.blocks[0].trips == 5 * 7 + n + 1, "the new trip must be in the draft"
    return elapsed


async def run() -> dict[str, Any]:
    people = scaled(1500)
    async with embedded() as (_, settings):
        pool = await asyncpg.create_pool(settings.owner_url, min_size=1, max_size=2)
        try:
            async with pool.acquire() as conn:
                org = await new_org(conn)
            who = await seed(pool, org, people)
            async with pool.acquire() as conn:
                drafts = await timed(5, lambda: load_week(conn, org, RULES, WEEK))
                keeper = Keeper(pool)
                await load_week(conn, org, RULES, WEEK, keeper=keeper)  # keeps them
                warm = await timed(5, lambda: load_week(conn, org, RULES, WEEK, keeper=keeper,
                                                        statements=False))  # fmt: skip
                assert len((await load_week(conn, org, RULES, WEEK, keeper=keeper)).kept) == people
                sums = await timed(5, lambda: plain_sum(conn, org, who))
                found = await load_week(conn, org, RULES, WEEK)
                assert len(found.drafts) == people
                person = who[people // 2]
                mine = await timed(20, lambda: plain_sum(conn, org, [person]))
                updates = [await one_person(conn, org, person, n) for n in range(21)][1:]
        finally:
            await pool.close()
    return {
        "people": people, "days": DAYS,
        "drafts_ms": median(drafts), "sum_ms": median(sums), "kept_ms": median(warm),
        "one_update_ms": median(updates), "one_update_p99_ms": percentile(updates, 0.99),
        "one_sum_ms": median(mine),
    }  # fmt: skip


def main() -> None:
    found = asyncio.run(run())
    report(
        "settlements",
        [
            f"drafts of {found['people']} people's week ({DAYS} days of data): "
            f"{found['drafts_ms']:.0f} ms median (plain SQL sum of the same amounts "
            f"{found['sum_ms']:.0f} ms); goal < 2,000 ms",
            f"the same week's kept drafts (warm, the list's read): {found['kept_ms']:.0f} ms "
            f"median (computed, cold: {found['drafts_ms']:.0f} ms)",
            f"one person's draft after a new transaction: {found['one_update_ms']:.1f} ms median, "
            f"p99 {found['one_update_p99_ms']:.1f} ms (plain SQL sum of their amounts "
            f"{found['one_sum_ms']:.1f} ms); goal < 50 ms",
        ],
        found,
    )


if __name__ == "__main__":
    main()
