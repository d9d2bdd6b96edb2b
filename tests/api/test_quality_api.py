"""Data quality over HTTP: coverage and gaps per resource, and each platform's week status.

Coverage rows are seeded as ingest writes them (one span per complete window); a shifted or
missing span is the tampering each check must notice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from tests.api.seed import other_org
from tests.apihelp import ApiClient, login

# ISO week 2026-W10, in winter (UTC+1): Uber's runs from Monday 2 March 04:00 in Paris
# (03:00 UTC) to Monday 9 March 04:00; Bolt's from Sunday 1 March 23:00 UTC to 8 March 23:00.
UBER_WEEK = (datetime(2026, 3, 2, 3, tzinfo=UTC), datetime(2026, 3, 9, 3, tzinfo=UTC))
BOLT_WEEK = (datetime(2026, 3, 1, 23, tzinfo=UTC), datetime(2026, 3, 8, 23, tzinfo=UTC))
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


async def cover(
    pool: asyncpg.Pool,
    org_id: UUID,
    provider: str,
    account: str,
    resource: str,
    start: datetime,
    end: datetime,
) -> None:
    await pool.execute(
        "INSERT INTO coverage (org_id, provider, account_id, resource, covered) "
        "VALUES ($1, $2, $3, $4, tstzrange($5, $6))",
        org_id,
        provider,
        account,
        resource,
        start,
        end,
    )


async def cover_in_days(
    pool: asyncpg.Pool, org_id: UUID, provider: str, account: str, resource: str, span: Any
) -> None:
    """Cover ``span`` as a poller would: one claim per day-long window, back to back."""
    start, end = span
    while start < end:
        await cover(pool, org_id, provider, account, resource, start, min(start + DAY, end))
        start += DAY


async def seed_whole_weeks(pool: asyncpg.Pool, org_id: UUID) -> None:
    for resource in ("payments", "transactions", "daily_metrics"):
        await cover_in_days(pool, org_id, "uber", "uber-org", resource, UBER_WEEK)
    for resource in ("orders", "state_logs"):
        await cover_in_days(pool, org_id, "bolt", "70001", resource, BOLT_WEEK)


async def week(api: ApiClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await api.get("/quality/weeks", params={"week": "2026-W10"}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["week"] == "2026-W10"
    return {p["provider"]: p for p in body["platforms"]}


async def test_a_week_covered_whole_on_each_platform_is_complete(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await seed_whole_weeks(owner_pool, org_id)
    headers = await login(api, await make_user(org_id, "viewer"))

    platforms = await week(api, headers)

    assert {p: (w["status"], w["reasons"]) for p, w in platforms.items()} == {
        "uber": ("complet", []),
        "bolt": ("complet", []),
    }
    assert (platforms["uber"]["start"], platforms["uber"]["end"]) == (
        "2026-03-02T03:00:00Z",
        "2026-03-09T03:00:00Z",
    )
    assert platforms["bolt"]["start"] == "2026-03-01T23:00:00Z"
    assert platforms["uber"]["settled_at"] == "2026-03-12T03:00:00Z"


async def test_a_window_shifted_by_a_minute_makes_its_week_incomplete_and_says_where(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await seed_whole_weeks(owner_pool, org_id)
    # Bolt's state logs, one more account: covered from one minute late (a shifted window)
    start, end = BOLT_WEEK
    await cover_in_days(owner_pool, org_id, "bolt", "70002", "state_logs", (start + MINUTE, end))
    await cover_in_days(owner_pool, org_id, "bolt", "70002", "orders", BOLT_WEEK)
    headers = await login(api, await make_user(org_id, "viewer"))

    platforms = await week(api, headers)

    bolt = platforms["bolt"]
    assert platforms["uber"]["status"] == "complet"
    assert bolt["status"] == "incomplet"
    assert bolt["reasons"] == [
        "state_logs, compte 70002 : non couvert du 02/03/2026 00:00 au 02/03/2026 00:01"
    ]
    [shifted] = [r for r in bolt["resources"] if r["account_id"] == "70002" and r["gaps"]]
    assert shifted["gaps"] == [{"start": "2026-03-01T23:00:00Z", "end": "2026-03-01T23:01:00Z"}]


async def test_a_deleted_day_of_payments_is_a_gap_of_the_uber_week(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await seed_whole_weeks(owner_pool, org_id)
    await owner_pool.execute(
        "DELETE FROM coverage WHERE org_id = $1 AND resource = 'payments' AND lower(covered) = $2",
        org_id,
        UBER_WEEK[0] + 3 * DAY,
    )
    headers = await login(api, await make_user(org_id, "viewer"))

    uber = (await week(api, headers))["uber"]

    assert uber["status"] == "incomplet"
    assert uber["reasons"] == [
        "payments, compte uber-org : non couvert du 05/03/2026 04:00 au 06/03/2026 04:00"
    ]


async def test_a_platform_with_no_coverage_at_all_is_incomplete(
    api: ApiClient, make_user, org_id: UUID
) -> None:
    headers = await login(api, await make_user(org_id, "viewer"))

    platforms = await week(api, headers)

    assert platforms["uber"]["status"] == "incomplet"
    assert platforms["uber"]["reasons"] == ["aucune donnée uber collectée"]


async def test_coverage_lists_spans_gaps_and_freshness_and_only_the_callers_tenant(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    theirs = await other_org(owner_pool, org_id)
    start = datetime(2026, 3, 2, 23, tzinfo=UTC)  # 3 March, midnight in Paris
    hour = 60 * MINUTE
    await cover(owner_pool, org_id, "uber", "u1", "payments", start, start + 10 * hour)
    await cover(owner_pool, org_id, "uber", "u1", "payments", start + 12 * hour, start + DAY)
    await owner_pool.execute(
        "INSERT INTO coverage (org_id, provider, account_id, resource, covered) "
        "VALUES ($1, 'bolt', '70001', 'drivers', tstzrange(now(), now(), '[]'))",
        org_id,
    )
    await cover(owner_pool, theirs, "uber", "theirs", "payments", start, start + DAY)
    headers = await login(api, await make_user(org_id, "viewer"))

    response = await api.get(
        "/quality/coverage", params={"from": "2026-03-03", "to": "2026-03-03"}, headers=headers
    )

    assert response.status_code == 200, response.text
    body = response.json()
    found = {(r["provider"], r["account_id"], r["resource"]): r for r in body["resources"]}
    assert set(found) == {("uber", "u1", "payments"), ("bolt", "70001", "drivers")}
    payments, drivers = found["uber", "u1", "payments"], found["bolt", "70001", "drivers"]
    assert payments["kind"] == "window"
    assert payments["covered"] == [
        {"start": "2026-03-02T23:00:00Z", "end": "2026-03-03T09:00:00Z"},
        {"start": "2026-03-03T11:00:00Z", "end": "2026-03-03T23:00:00Z"},
    ]
    assert payments["gaps"] == [{"start": "2026-03-03T09:00:00Z", "end": "2026-03-03T11:00:00Z"}]
    assert (drivers["kind"], drivers["covered"], drivers["claims"]) == ("listing", [], 0)
    assert drivers["newest_age_s"] is not None and drivers["newest_age_s"] < 60


@pytest.mark.parametrize(("week_param", "status"), [("2025-W53", 400), ("2026-14", 422)])
async def test_a_week_that_does_not_exist_is_refused(
    api: ApiClient, make_user, org_id: UUID, week_param: str, status: int
) -> None:
    headers = await login(api, await make_user(org_id, "viewer"))

    response = await api.get("/quality/weeks", params={"week": week_param}, headers=headers)

    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
