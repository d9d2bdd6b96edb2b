"""The fleet overview: both providers' figures summed per Paris day and in total."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from tests.api.seed import other_org, seed_bolt_day, seed_driver, seed_uber_day
from tests.apihelp import ApiClient, login

MARCH_1_TO_4 = {"from": "2026-03-01", "to": "2026-03-04"}
NO_UBER = {
    "trips": 0,
    "hours_online": 0.0,
    "hours_on_trip": 0.0,
    "earnings_minor": 0,
    "currency": None,
    "active_drivers": 0,
}
NO_BOLT = {
    "orders": 0,
    "gross_minor": 0,
    "commission_minor": 0,
    "net_minor": 0,
    "tips_minor": 0,
    "tolls_minor": 0,
    "cash_minor": 0,
    "in_app_minor": 0,
    "currency": None,
    "active_drivers": 0,
}


async def _seed_fleet(pool: asyncpg.Pool, org_id: UUID) -> None:
    """Three drivers per provider; figures on 1–3 March, and outside the asked days."""
    for driver_id, status in (("u1", "active"), ("u2", "active"), ("u3", None)):
        await seed_driver(pool, org_id, "uber", driver_id, status=status)
    await pool.execute(
        "INSERT INTO uber_driver_status (org_id, driver_id, account_id, status, updated_at, "
        "last_position) VALUES ($1, 'u1', 'acct', 'DRIVER_STATUS_ONLINE', now(), 1)",
        org_id,
    )
    for driver_id, status in (("b1", "active"), ("b2", "active"), ("b3", "suspended")):
        await seed_driver(pool, org_id, "bolt", driver_id, status=status)
    await seed_uber_day(pool, org_id, "u1", date(2026, 3, 1), 10, 12345)
    await seed_uber_day(pool, org_id, "u2", date(2026, 3, 1), 5, 1000)
    await seed_uber_day(pool, org_id, "u1", date(2026, 3, 3), 3, 500)
    await seed_uber_day(pool, org_id, "u1", date(2026, 3, 5), 99, 99999)  # after the range
    await seed_bolt_day(pool, org_id, "b1", date(2026, 3, 1), 4, 10000)
    await seed_bolt_day(pool, org_id, "b1", date(2026, 3, 2), 2, 4000)
    await seed_bolt_day(pool, org_id, "b2", date(2026, 3, 2), 1, 2000)
    await seed_bolt_day(pool, org_id, "b2", date(2026, 2, 28), 9, 99999)  # before it


async def _overview(api: ApiClient, headers: dict[str, str], **params: str) -> Any:
    response = await api.get("/fleet/overview", params=MARCH_1_TO_4 | params, headers=headers)
    assert response.status_code == 200, response.text
    return response


async def test_overview_sums_each_day_per_provider_and_draws_empty_days_as_zeros(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _seed_fleet(owner_pool, org_id)
    headers = await login(api, await make_user(org_id, "viewer"))

    body = (await _overview(api, headers)).json()

    assert (body["first_day"], body["last_day"]) == ("2026-03-01", "2026-03-04")
    days = {d["day"]: d for d in body["days"]}
    assert list(days) == ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"]
    assert days["2026-03-01"]["uber"] == {
        "trips": 15,
        "hours_online": 17.0,
        "hours_on_trip": 12.5,
        "earnings_minor": 13345,
        "currency": "EUR",
        "active_drivers": 2,
    }
    assert days["2026-03-02"]["bolt"] == {
        "orders": 3,
        "gross_minor": 6000,
        "commission_minor": 1200,
        "net_minor": 4800,
        "tips_minor": 200,
        "tolls_minor": 100,
        "cash_minor": 1500,
        "in_app_minor": 4500,
        "currency": "EUR",
        "active_drivers": 2,
    }
    assert days["2026-03-02"]["uber"] == NO_UBER
    assert days["2026-03-03"]["bolt"] == NO_BOLT
    assert days["2026-03-04"]["uber"] == NO_UBER and days["2026-03-04"]["bolt"] == NO_BOLT
    assert body["uber"] == {
        "trips": 18,
        "hours_online": 25.5,
        "hours_on_trip": 18.75,
        "earnings_minor": 13845,
        "currency": "EUR",
        "active_drivers": 2,  # u1 on two days counts once
    }
    assert body["bolt"] == {
        "orders": 7,
        "gross_minor": 16000,
        "commission_minor": 3200,
        "net_minor": 12800,
        "tips_minor": 300,
        "tolls_minor": 150,
        "cash_minor": 4000,
        "in_app_minor": 12000,
        "currency": "EUR",
        "active_drivers": 2,
    }


async def test_overview_counts_drivers_by_provider_and_status_as_the_lists_show_them(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _seed_fleet(owner_pool, org_id)
    headers = await login(api, await make_user(org_id))

    counts = (await _overview(api, headers)).json()["drivers"]

    assert sorted((c["provider"], c["status"] or "", c["drivers"]) for c in counts) == [
        ("bolt", "active", 2),
        ("bolt", "suspended", 1),
        ("uber", "", 1),
        ("uber", "DRIVER_STATUS_ONLINE", 1),  # the realtime status wins over the record's
        ("uber", "active", 1),
    ]


async def test_overview_csv_has_one_row_per_day_and_provider_matching_the_json(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _seed_fleet(owner_pool, org_id)
    headers = await login(api, await make_user(org_id))

    body = (await _overview(api, headers)).json()
    response = await _overview(api, headers, format="csv")

    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["day"], r["provider"]) for r in rows] == [
        (d["day"], p) for d in body["days"] for p in ("uber", "bolt")
    ]
    first_uber, first_bolt = rows[0], rows[1]
    assert (first_uber["trips"], first_uber["earnings_minor"], first_uber["orders"]) == (
        "15",
        "13345",
        "",
    )
    assert (first_bolt["gross_minor"], first_bolt["net_minor"], first_bolt["trips"]) == (
        "10000",
        "8000",
        "",
    )
    assert sum(int(r["earnings_minor"] or 0) for r in rows) == body["uber"]["earnings_minor"]
    assert sum(int(r["gross_minor"] or 0) for r in rows) == body["bolt"]["gross_minor"]


async def test_an_org_never_sees_another_orgs_figures(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    other = await other_org(owner_pool, org_id)
    await _seed_fleet(owner_pool, other)  # the same driver ids, in another tenant
    await seed_driver(owner_pool, org_id, "uber", "u1", status="active")
    await seed_uber_day(owner_pool, org_id, "u1", date(2026, 3, 2), 1, 700)
    mine = (await _overview(api, await login(api, await make_user(org_id)))).json()
    theirs = (await _overview(api, await login(api, await make_user(other)))).json()

    assert (mine["uber"]["trips"], mine["uber"]["earnings_minor"]) == (1, 700)
    assert mine["bolt"] == NO_BOLT
    assert mine["drivers"] == [{"provider": "uber", "status": "active", "drivers": 1}]
    assert (theirs["uber"]["trips"], theirs["bolt"]["orders"]) == (18, 7)


async def test_overview_day_ranges_are_clear_4xx(api: ApiClient, make_user, org_id: UUID) -> None:
    headers = await login(api, await make_user(org_id))
    cases = [
        ({"from": "2026-03-05", "to": "2026-03-01"}, 400),
        ({"from": "2024-01-01", "to": "2026-03-01"}, 400),  # over 366 days
        ({"from": "2026-13-01"}, 422),
        ({"to": "yesterday"}, 422),
        ({"format": "xml"}, 422),
    ]
    for params, status in cases:
        response = await api.get("/fleet/overview", params=params, headers=headers)
        assert response.status_code == status, (params, response.text)
        assert response.headers["content-type"] == "application/problem+json"


async def test_overview_counts_a_person_active_on_both_platforms_once(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    # Active over 1–4 March: u1, u2 (Uber), b1, b2 (Bolt). u1 and b1 are one person; b2 is
    # unmapped; u2 is not yet seen by the people projection: 3 people, 4 accounts.
    await _seed_fleet(owner_pool, org_id)
    person = UUID(int=1)
    await owner_pool.execute(
        "INSERT INTO people (org_id, person_id, display_name, created_at, updated_at, "
        "last_position) VALUES ($1, $2, 'Laurent Dupont', now(), now(), 1)",
        org_id,
        person,
    )
    for identity, owner in (("uber:u1", person), ("bolt:b1", person), ("bolt:b2", None)):
        provider, driver = identity.split(":")
        await owner_pool.execute(
            "INSERT INTO people_identities (org_id, identity_id, provider, driver_id, "
            "account_id, person_id, first_seen_at, updated_at, last_position) "
            "VALUES ($1, $2, $3, $4, 'acct', $5, now(), now(), 1)",
            org_id,
            identity,
            provider,
            driver,
            owner,
        )
    headers = await login(api, await make_user(org_id, "viewer"))

    body = (await _overview(api, headers)).json()

    assert body["uber"]["active_drivers"] + body["bolt"]["active_drivers"] == 4
    assert body["active_people"] == 3
    outside = (await _overview(api, headers, **{"from": "2026-04-01", "to": "2026-04-02"})).json()
    assert outside["active_people"] == 0


async def test_the_active_drivers_of_a_range_across_months_count_each_driver_once(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _seed_fleet(owner_pool, org_id)
    await seed_uber_day(owner_pool, org_id, "u3", date(2026, 2, 27), 1, 100)  # before the range
    await seed_uber_day(owner_pool, org_id, "u1", date(2026, 2, 28), 2, 200)
    await seed_uber_day(owner_pool, org_id, "u3", date(2026, 3, 2), 0, 0)  # online, no trip
    headers = await login(api, await make_user(org_id, "viewer"))

    ranges = {(a, b): (await _overview(api, headers, **{"from": a, "to": b})).json()
              for a, b in (("2026-02-28", "2026-03-01"), ("2026-03-02", "2026-03-04"),
                           ("2026-02-01", "2026-03-31"), ("2026-03-05", "2026-03-05"))}  # fmt: skip

    counts = {r: (b["uber"]["active_drivers"], b["bolt"]["active_drivers"], b["active_people"])
              for r, b in ranges.items()}  # fmt: skip
    assert counts == {
        ("2026-02-28", "2026-03-01"): (2, 2, 4),  # u1 on both months once; b2 on the 28th
        ("2026-03-02", "2026-03-04"): (2, 2, 4),  # u1 on the 3rd; u3 online on the 2nd
        ("2026-02-01", "2026-03-31"): (3, 2, 5),
        ("2026-03-05", "2026-03-05"): (1, 0, 1),
    }
