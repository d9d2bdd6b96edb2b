"""The histories and lists the projector builds: Uber transactions, status changes and
reports, Bolt companies and state logs — order, pages, CSV, 4xx, and tenant isolation."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from tests.api.seed import other_org
from tests.apihelp import ApiClient, login

T0 = datetime(2026, 3, 1, 23, 0, tzinfo=UTC)  # 2 March, 00:00 in Paris
MARCH_2_TO_4 = {"from": "2026-03-02", "to": "2026-03-04"}
TREE = [
    {"category": "fare", "amount_minor": 1500, "currency": "EUR", "children": []},
    {"category": "tip", "amount_minor": 200, "currency": "EUR", "children": []},
]


async def _driver(pool: asyncpg.Pool, org_id: UUID, provider: str, driver_id: str) -> None:
    await pool.execute(
        "INSERT INTO drivers (org_id, provider, driver_id, account_id, first_name, last_name, "
        "vehicle_ids, first_seen_at, updated_at, last_position) "
        "VALUES ($1, $2, $3, 'acct', 'Nadia', 'Roux', '{}', $4, $4, 1)",
        org_id,
        provider,
        driver_id,
        T0,
    )


async def _transaction(
    pool: asyncpg.Pool, org_id: UUID, driver_id: str, txn: str, at: datetime, cents: int = 1700
) -> None:
    await pool.execute(
        "INSERT INTO uber_transactions (org_id, transaction_id, account_id, driver_id, trip_id, "
        "processed_at, description, amount_minor, currency, breakdown, updated_at, "
        "last_position) VALUES ($1, $2, 'acct', $3, 'trip-1', $4, 'trip', $5, 'EUR', "
        "$6::jsonb, $4, 1)",
        org_id,
        txn,
        driver_id,
        at,
        cents,
        json.dumps(TREE),
    )


async def _status(
    pool: asyncpg.Pool, org_id: UUID, driver_id: str, at: datetime, status: str
) -> None:
    await pool.execute(
        "INSERT INTO uber_driver_status_history (org_id, driver_id, status_at, status, position) "
        "VALUES ($1, $2, $3, $4, 1)",
        org_id,
        driver_id,
        at,
        status,
    )


async def _state_log(
    pool: asyncpg.Pool, org_id: UUID, driver: str, at: datetime, state: str, company: int = 70001
) -> None:
    await pool.execute(
        "INSERT INTO bolt_state_logs (org_id, driver_uuid, created_at, state, company_id, "
        "vehicle_uuid, lat, lng, last_position) VALUES ($1, $2, $3, $4, $5, 'bv1', 48.85, "
        "2.35, 1)",
        org_id,
        driver,
        at,
        state,
        company,
    )


async def _report(
    pool: asyncpg.Pool, org_id: UUID, report_id: str, start: datetime | None, status: str = "DONE"
) -> None:
    await pool.execute(
        "INSERT INTO uber_reports (org_id, report_id, account_id, report_type, status, "
        "start_time, end_time, file_name, row_count, csv_sha256, fetch_id, created_at, "
        "completed_at, updated_at, last_position) VALUES ($1, $2, 'acct', 'PAYMENTS_ORDER', "
        "$3, $4::timestamptz, $4::timestamptz + interval '1 day', 'payments.csv', 12, "
        "repeat('ab', 32), 7, $5, $5, $5, 1)",
        org_id,
        report_id,
        status,
        start,
        T0,
    )


async def _company(pool: asyncpg.Pool, org_id: UUID, company_id: int, name: str | None) -> None:
    await pool.execute(
        "INSERT INTO bolt_companies (org_id, company_id, name, first_seen_at, updated_at, "
        "last_position) VALUES ($1, $2, $3, $4, $4, 1)",
        org_id,
        company_id,
        name,
        T0,
    )


async def _all_pages(
    api: ApiClient, path: str, headers: dict[str, str], params: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every item, following next_cursor; each page holds at most ``limit`` items."""
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        response = await api.get(
            path, headers=headers, params=params | ({"cursor": cursor} if cursor else {})
        )
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= params.get("limit", 50)
        seen += page["items"]
        if not (cursor := page["next_cursor"]):
            return seen


async def _csv(
    api: ApiClient, path: str, headers: dict[str, str], params: dict[str, Any] | None = None
) -> list[dict[str, str]]:
    response = await api.get(path, headers=headers, params={**(params or {}), "format": "csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


async def test_uber_transactions_page_in_time_order_over_paris_days_with_csv(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _driver(owner_pool, org_id, "uber", "u-tx")
    expected = []
    for i in range(7):  # two share each instant: the transaction id breaks the tie
        at = T0 + timedelta(hours=12 * (i // 2))
        await _transaction(owner_pool, org_id, "u-tx", f"t{6 - i}", at, 1000 + i)
        expected.append((at, f"t{6 - i}"))
    await _transaction(owner_pool, org_id, "u-tx", "before", T0 - timedelta(seconds=1))
    await _transaction(owner_pool, org_id, "u-tx", "after", datetime(2026, 3, 4, 23, tzinfo=UTC))
    await _transaction(owner_pool, org_id, "u-other", "someone-else", T0)
    headers = await login(api, await make_user(org_id, "viewer"))

    path = "/fleet/drivers/u-tx/transactions"
    seen = await _all_pages(api, path, headers, MARCH_2_TO_4 | {"limit": 3})
    rows = await _csv(api, path, headers, MARCH_2_TO_4)

    in_order = [t for _, t in sorted(expected)]
    assert [t["transaction_id"] for t in seen] == in_order
    assert [r["transaction_id"] for r in rows] == in_order
    first = next(t for t in seen if t["transaction_id"] == "t6")
    assert (first["amount_minor"], first["currency"]) == (1000, "EUR")
    assert first["breakdown"] == TREE and first["processed_at"] == "2026-03-01T23:00:00Z"
    assert rows[0]["amount_minor"] == str(seen[0]["amount_minor"])
    assert json.loads(rows[0]["breakdown"]) == TREE


async def test_uber_status_history_pages_in_time_order_with_csv(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _driver(owner_pool, org_id, "uber", "u-st")
    changes = [
        (T0 + timedelta(minutes=10 * i), status)
        for i, status in enumerate(["DRIVER_STATUS_ONLINE", "DRIVER_STATUS_ON_TRIP"] * 3)
    ]
    changes.append((changes[-1][0], "DRIVER_STATUS_OFFLINE"))  # same instant: by status
    for at, status in changes:
        await _status(owner_pool, org_id, "u-st", at, status)
    await _status(owner_pool, org_id, "u-st", T0 - timedelta(days=3), "DRIVER_STATUS_ONLINE")
    headers = await login(api, await make_user(org_id))

    path = "/fleet/drivers/u-st/status-history"
    seen = await _all_pages(api, path, headers, MARCH_2_TO_4 | {"limit": 2})
    rows = await _csv(api, path, headers, MARCH_2_TO_4)

    assert [(s["status_at"], s["status"]) for s in seen] == [
        (at.isoformat().replace("+00:00", "Z"), status) for at, status in sorted(changes)
    ]
    assert [r["status"] for r in rows] == [s["status"] for s in seen]
    assert list(rows[0]) == ["status_at", "status"]


async def test_uber_reports_by_period_without_the_file_itself(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    for i in range(5):
        await _report(owner_pool, org_id, f"r{i}", T0 - timedelta(days=i))
    await _report(owner_pool, org_id, "r-failed", None, status="FAILED")
    headers = await login(api, await make_user(org_id, "viewer"))

    seen = await _all_pages(api, "/fleet/reports", headers, {"limit": 2})
    rows = await _csv(api, "/fleet/reports", headers)

    assert [r["report_id"] for r in seen] == ["r-failed", "r4", "r3", "r2", "r1", "r0"]
    assert [r["report_id"] for r in rows] == [r["report_id"] for r in seen]
    latest = seen[-1]
    assert latest["period_start"] == "2026-03-01T23:00:00Z"
    assert (latest["report_type"], latest["status"], latest["row_count"]) == (
        "PAYMENTS_ORDER",
        "DONE",
        12,
    )
    assert latest["csv_sha256"] == "ab" * 32 and latest["fetch_id"] == 7
    assert not {"body", "content", "raw", "csv"} & set(latest)


async def test_bolt_companies_by_name_with_csv(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _company(owner_pool, org_id, 70002, "Zeta Mobilité")
    await _company(owner_pool, org_id, 70001, "AA Denis")
    headers = await login(api, await make_user(org_id))

    body = (await api.get("/bolt/companies", headers=headers)).json()
    rows = await _csv(api, "/bolt/companies", headers)

    assert [(c["company_id"], c["name"], c["currency"]) for c in body["items"]] == [
        (70001, "AA Denis", "EUR"),
        (70002, "Zeta Mobilité", "EUR"),
    ]
    assert [r["company_id"] for r in rows] == ["70001", "70002"]


async def test_bolt_state_logs_page_in_time_order_with_csv(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _driver(owner_pool, org_id, "bolt", "b-st")
    logs = [
        (T0 + timedelta(minutes=5 * i), state)
        for i, state in enumerate(["waiting_orders", "has_order", "inactive"] * 2)
    ]
    for at, state in reversed(logs):
        await _state_log(owner_pool, org_id, "b-st", at, state)
    await _state_log(owner_pool, org_id, "b-st", T0 + timedelta(days=5), "inactive")
    headers = await login(api, await make_user(org_id))

    path = "/bolt/drivers/b-st/state-logs"
    seen = await _all_pages(api, path, headers, MARCH_2_TO_4 | {"limit": 4})
    rows = await _csv(api, path, headers, MARCH_2_TO_4)

    assert [s["state"] for s in seen] == [state for _, state in logs]
    assert seen[0] | {"created_at": None} == {
        "created_at": None,
        "state": "waiting_orders",
        "company_id": 70001,
        "vehicle_uuid": "bv1",
        "lat": 48.85,
        "lng": 2.35,
    }
    assert [r["state"] for r in rows] == [s["state"] for s in seen]


async def test_unknown_drivers_bad_days_and_bad_cursors_are_clear_4xx(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _driver(owner_pool, org_id, "uber", "u-4xx")
    headers = await login(api, await make_user(org_id))
    naive = "WyIyMDI2LTAzLTAxVDAwOjAwOjAwIiwieCJd"  # ["2026-03-01T00:00:00","x"]: no offset
    cases = [
        ("/fleet/drivers/nobody/transactions", {}, 404),
        ("/fleet/drivers/nobody/transactions", {"format": "csv"}, 404),
        ("/fleet/drivers/nobody/status-history", {}, 404),
        ("/bolt/drivers/nobody/state-logs", {}, 404),
        ("/bolt/drivers/u-4xx/state-logs", {}, 404),  # an Uber driver is not a Bolt driver
        ("/fleet/drivers/u-4xx/transactions", {"from": "2026-03-05", "to": "2026-03-01"}, 400),
        ("/fleet/drivers/u-4xx/status-history", {"from": "2026-13-01"}, 422),
        ("/fleet/drivers/u-4xx/transactions", {"limit": 501}, 422),
        ("/fleet/drivers/u-4xx/transactions", {"cursor": "%%%"}, 400),
        ("/fleet/drivers/u-4xx/status-history", {"cursor": naive}, 400),
        ("/fleet/reports", {"cursor": "bm90LWpzb24"}, 400),
        ("/fleet/reports", {"limit": 0}, 422),
        ("/bolt/companies", {"format": "xml"}, 422),
    ]
    for path, params, status in cases:
        response = await api.get(path, params=params, headers=headers)
        assert response.status_code == status, (path, params, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    empty = await api.get("/fleet/drivers/u-4xx/transactions", headers=headers)
    assert empty.json() == {"items": [], "next_cursor": None}


async def test_a_token_of_one_org_never_sees_another_orgs_rows(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    theirs = await other_org(owner_pool, org_id)
    for org, tag in ((org_id, "mine"), (theirs, "theirs")):
        for provider in ("uber", "bolt"):
            await _driver(owner_pool, org, provider, "shared")
        await _transaction(owner_pool, org, "shared", f"t-{tag}", T0)
        await _status(owner_pool, org, "shared", T0, f"S_{tag}")
        await _state_log(owner_pool, org, "shared", T0, f"s_{tag}")
        await _report(owner_pool, org, f"r-{tag}", T0)
        await _company(owner_pool, org, 1 if tag == "mine" else 2, tag)
    await _driver(owner_pool, theirs, "uber", "only-theirs")
    await _transaction(owner_pool, theirs, "only-theirs", "t-only", T0)
    headers = await login(api, await make_user(org_id, "admin"))

    lists = {
        "/fleet/drivers/shared/transactions": ("transaction_id", "t-mine"),
        "/fleet/drivers/shared/status-history": ("status", "S_mine"),
        "/bolt/drivers/shared/state-logs": ("state", "s_mine"),
        "/fleet/reports": ("report_id", "r-mine"),
        "/bolt/companies": ("name", "mine"),
    }
    for path, (field, mine) in lists.items():
        days = MARCH_2_TO_4 if "/drivers/" in path else {}  # reports and companies take none
        body = (await api.get(path, params=days, headers=headers)).json()
        rows = await _csv(api, path, headers, days)
        assert [i[field] for i in body["items"]] == [mine], path
        assert [r[field] for r in rows] == [mine], path
    hidden = await api.get("/fleet/drivers/only-theirs/transactions", headers=headers)
    assert hidden.status_code == 404


async def test_the_api_role_sees_only_its_orgs_history_rows_without_any_where(
    db_api_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    theirs = await other_org(owner_pool, org_id)
    for org in (org_id, theirs):
        await _transaction(owner_pool, org, "d", "t", T0)
        await _status(owner_pool, org, "d", T0, "DRIVER_STATUS_ONLINE")
        await _state_log(owner_pool, org, "d", T0, "inactive")
        await _report(owner_pool, org, "r", T0)
        await _company(owner_pool, org, 1, "c")
    tables = ("uber_transactions", "uber_driver_status_history", "bolt_state_logs")
    tables += ("uber_reports", "bolt_companies")
    async with db_api_pool.acquire() as conn, conn.transaction():
        unset = [await conn.fetchval(f"SELECT count(*) FROM {t}") for t in tables]  # noqa: S608
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(org_id))
        scoped = [
            {r[0] for r in await conn.fetch(f"SELECT DISTINCT org_id FROM {t}")}  # noqa: S608
            for t in tables
        ]
    assert unset == [0] * len(tables)
    assert scoped == [{org_id}] * len(tables)
