"""The read-model endpoints: vehicles, a driver's metrics, payments, trips and earnings."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import asyncpg

from tests.api.seed import seed_driver as _driver
from tests.api.seed import seed_uber_day as _uber_day
from tests.apihelp import ApiClient, login

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


async def test_metrics_cover_the_asked_days_with_totals(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _driver(owner_pool, org_id, "uber", "u1")
    for offset, (trips, cents) in enumerate([(10, 12345), (7, 8000), (3, 1)]):
        await _uber_day(
            owner_pool, org_id, "u1", date(2026, 3, 1) + timedelta(days=offset), trips, cents
        )
    headers = await login(api, await make_user(org_id, "viewer"))
    body = (
        await api.get(
            "/fleet/drivers/u1/metrics",
            params={"from": "2026-03-02", "to": "2026-03-03"},
            headers=headers,
        )
    ).json()
    assert [i["day"] for i in body["items"]] == ["2026-03-02", "2026-03-03"]
    assert body["totals"] == {
        "trips": 10,
        "hours_online": 17.0,
        "hours_on_trip": 12.5,
        "earnings_minor": 8001,
        "currency": "EUR",
    }


async def test_day_ranges_and_unknown_drivers_are_clear_4xx(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _driver(owner_pool, org_id, "uber", "u2")
    headers = await login(api, await make_user(org_id))
    cases = [
        ("/fleet/drivers/u2/metrics", {"from": "2026-03-05", "to": "2026-03-01"}, 400),
        ("/fleet/drivers/u2/metrics", {"from": "2024-01-01", "to": "2026-03-01"}, 400),
        ("/fleet/drivers/u2/metrics", {"from": "2026-13-01"}, 422),
        ("/fleet/drivers/nobody/metrics", {}, 404),
        ("/fleet/drivers/nobody/payments", {}, 404),
        ("/bolt/drivers/nobody/trips", {}, 404),
        ("/bolt/drivers/u2/earnings", {}, 404),  # an Uber driver is not a Bolt driver
    ]
    for path, params, status in cases:
        response = await api.get(path, params=params, headers=headers)
        assert response.status_code == status, (path, params, response.text)
        assert response.headers["content-type"] == "application/problem+json"


async def test_payments_keep_their_breakdown_in_cents(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _driver(owner_pool, org_id, "uber", "u3")
    tree = [
        {
            "category": "earnings",
            "amount_minor": 4250,
            "currency": "EUR",
            "children": [
                {"category": "tip", "amount_minor": 250, "currency": "EUR", "children": []}
            ],
        }
    ]
    await owner_pool.execute(
        "INSERT INTO driver_payments (org_id, provider, payment_key, driver_id, account_id, "
        "window_start, window_end, day, amount_minor, currency, breakdown, updated_at, "
        "last_position) VALUES ($1, 'uber', 'u3:1', 'u3', 'acct', $2, $3, $4, 4250, 'EUR', "
        "$5::jsonb, $2, 1)",
        org_id,
        NOW,
        NOW + timedelta(hours=1),
        date(2026, 3, 10),
        json.dumps(tree),
    )
    headers = await login(api, await make_user(org_id))
    body = (
        await api.get(
            "/fleet/drivers/u3/payments",
            params={"from": "2026-03-10", "to": "2026-03-10"},
            headers=headers,
        )
    ).json()
    assert body["total_minor"] == 4250
    assert body["items"][0]["breakdown"][0]["children"][0] == {
        "category": "tip",
        "amount_minor": 250,
        "currency": "EUR",
        "children": [],
    }


async def _order(
    pool: asyncpg.Pool, org_id: UUID, driver: str, ref: str, day: date, hour: int, price: int
) -> None:
    created = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    await pool.execute(
        "INSERT INTO bolt_orders (org_id, order_reference, company_id, driver_uuid, status, "
        "payment_method, created_at, finished_at, currency, ride_price, commission, "
        "net_earnings, earnings_day, updated_at, last_position) VALUES "
        "($1, $2, 70001, $3, 'finished', 'cash', $4, $4, 'EUR', $5, $6, $7, $8, $4, 1)",
        org_id,
        ref,
        driver,
        created,
        price,
        price // 4,
        price - price // 4,
        day,
    )


async def test_bolt_trips_page_in_time_order_within_the_days(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _driver(owner_pool, org_id, "bolt", "b1")
    expected = []
    for i in range(7):
        day = date(2026, 3, 1 + i % 3)
        await _order(owner_pool, org_id, "b1", f"o{i}", day, 8 + i, 1000 + i)
        expected.append((day.isoformat(), 8 + i, f"o{i}"))
    await _order(owner_pool, org_id, "b1", "outside", date(2026, 3, 9), 8, 1)
    headers = await login(api, await make_user(org_id))
    seen, cursor = [], None
    while True:
        params = {"from": "2026-03-01", "to": "2026-03-03", "limit": 3}
        page = (
            await api.get(
                "/bolt/drivers/b1/trips",
                headers=headers,
                params=params | ({"cursor": cursor} if cursor else {}),
            )
        ).json()
        seen += page["items"]
        if not (cursor := page["next_cursor"]):
            break
    assert [t["order_reference"] for t in seen] == [r for _, _, r in sorted(expected)]
    assert seen[0]["commission_minor"] + seen[0]["net_minor"] == seen[0]["ride_price_minor"]


async def test_bolt_earnings_have_daily_rows_and_totals(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _driver(owner_pool, org_id, "bolt", "b2")
    for day, gross in ((date(2026, 3, 1), 10000), (date(2026, 3, 2), 5000)):
        await owner_pool.execute(
            "INSERT INTO bolt_daily_earnings (org_id, driver_uuid, day, company_id, currency, "
            "orders, gross, commission, net_earnings, tips, tolls, cash_gross, in_app_gross) "
            "VALUES ($1, 'b2', $2, 70001, 'EUR', 3, $3, $4, $5, 100, 0, $3, 0)",
            org_id,
            day,
            gross,
            gross // 5,
            gross - gross // 5,
        )
    headers = await login(api, await make_user(org_id))
    body = (
        await api.get(
            "/bolt/drivers/b2/earnings",
            params={"from": "2026-03-01", "to": "2026-03-31"},
            headers=headers,
        )
    ).json()
    assert len(body["items"]) == 2
    assert body["totals"]["gross_minor"] == 15000 and body["totals"]["net_minor"] == 12000
    assert body["totals"]["cash_minor"] == 15000 and body["totals"]["orders"] == 6


async def test_vehicles_of_both_providers_and_driver_search_by_plate(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await owner_pool.execute(
        "INSERT INTO uber_vehicles (org_id, vehicle_id, account_id, plate, make, model, year, "
        "updated_at, last_position) VALUES ($1, 'uv1', 'acct', 'AB-123-CD', 'Toyota', "
        "'Corolla', 2022, $2, 1)",
        org_id,
        NOW,
    )
    await owner_pool.execute(
        "INSERT INTO bolt_vehicles (org_id, vehicle_uuid, company_id, plate, model, state, "
        "first_seen_at, updated_at, last_position) VALUES ($1, 'bv1', 70001, 'EF-456-GH', "
        "'Model 3', 'active', $2, $2, 1)",
        org_id,
        NOW,
    )
    await _driver(owner_pool, org_id, "uber", "u9", vehicle="uv1", status="active")
    await _driver(owner_pool, org_id, "bolt", "b9", vehicle="bv1", status="suspended")
    headers = await login(api, await make_user(org_id))

    uber = (await api.get("/fleet/vehicles", headers=headers)).json()["items"]
    bolt = (await api.get("/bolt/vehicles/bv1", headers=headers)).json()
    by_plate = (await api.get("/fleet/drivers", params={"q": "ab-123"}, headers=headers)).json()
    bolt_plate = (await api.get("/bolt/drivers", params={"q": "EF-456"}, headers=headers)).json()
    suspended = (
        await api.get("/bolt/drivers", params={"status": "suspended"}, headers=headers)
    ).json()
    assert [v["plate"] for v in uber] == ["AB-123-CD"]
    assert (bolt["provider"], bolt["status"]) == ("bolt", "active")
    assert [d["driver_id"] for d in by_plate["items"]] == ["u9"]
    assert [d["driver_id"] for d in bolt_plate["items"]] == ["b9"]
    assert [d["driver_id"] for d in suspended["items"]] == ["b9"]
    assert (await api.get("/fleet/vehicles/bv1", headers=headers)).status_code == 404
