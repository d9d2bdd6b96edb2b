"""GET /fleet/drivers: keyset pages, search, 404s, and one tenant never sees another's."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import httpx

from tests.api.seed import seed_named_drivers
from tests.apihelp import login


async def test_pages_walk_every_driver_once_in_name_order(
    api: httpx.AsyncClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    names = [(f"Prénom{i}", f"Nom{i % 7}") for i in range(23)]
    await seed_named_drivers(owner_pool, org_id, names)
    headers = await login(api, await make_user(org_id))
    seen, cursor = [], None
    while True:
        params = {"limit": 5} | ({"cursor": cursor} if cursor else {})
        page = (await api.get("/fleet/drivers", params=params, headers=headers)).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 23 == len({d["driver_id"] for d in seen})
    keys = [(d["last_name"], d["first_name"], d["driver_id"]) for d in seen]
    assert keys == sorted(keys)


async def test_search_by_name_or_phone(
    api: httpx.AsyncClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await seed_named_drivers(owner_pool, org_id, [("Amina", "Diallo"), ("Rui", "Costa")])
    headers = await login(api, await make_user(org_id))
    by_name = (await api.get("/fleet/drivers", params={"q": "diall"}, headers=headers)).json()
    by_phone = (await api.get("/fleet/drivers", params={"q": "00001"}, headers=headers)).json()
    percent = (await api.get("/fleet/drivers", params={"q": "%"}, headers=headers)).json()
    assert [d["first_name"] for d in by_name["items"]] == ["Amina"]
    assert [d["first_name"] for d in by_phone["items"]] == ["Rui"]
    assert percent["items"] == []


async def test_a_tenant_never_sees_another_tenants_drivers(
    api: httpx.AsyncClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    other = await owner_pool.fetchval(
        "INSERT INTO orgs (slug, name) VALUES ($1, 'Other') RETURNING org_id",
        f"o-{org_id.hex[:12]}",
    )
    await seed_named_drivers(owner_pool, org_id, [("Mine", "A")])
    await seed_named_drivers(owner_pool, other, [("Theirs", "B")])
    headers = await login(api, await make_user(org_id))

    listed = (await api.get("/fleet/drivers", headers=headers)).json()["items"]
    searched = (await api.get("/fleet/drivers", params={"q": "theirs"}, headers=headers)).json()
    theirs = f"{other.hex[:6]}-000"
    one = await api.get(f"/fleet/drivers/{theirs}", headers=headers)
    assert [d["first_name"] for d in listed] == ["Mine"]
    assert searched["items"] == []
    assert one.status_code == 404
    assert one.headers["content-type"] == "application/problem+json"


async def test_rls_filters_rows_for_the_api_role_without_any_where(
    db_api_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await seed_named_drivers(owner_pool, org_id, [("Solo", "Z")])
    async with db_api_pool.acquire() as conn, conn.transaction():
        unset = await conn.fetchval("SELECT count(*) FROM drivers")
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(org_id))
        scoped = await conn.fetch("SELECT DISTINCT org_id FROM drivers")
        users = await conn.fetch("SELECT DISTINCT org_id FROM users")
    assert unset == 0
    assert [r["org_id"] for r in scoped] == [org_id]
    assert all(r["org_id"] == org_id for r in users)


async def test_bad_cursor_and_limits_are_4xx_problems(
    api: httpx.AsyncClient, make_user, org_id: UUID
) -> None:
    headers = await login(api, await make_user(org_id))
    for params, status in (
        ({"cursor": "%%%"}, 400),
        ({"cursor": "bm90LWpzb24"}, 400),
        ({"limit": 501}, 422),
        ({"limit": 0}, 422),
        ({"limit": "x"}, 422),
    ):
        response = await api.get("/fleet/drivers", params=params, headers=headers)
        assert response.status_code == status, params
        assert response.headers["content-type"] == "application/problem+json"


async def test_the_search_function_returns_only_the_drivers_of_the_org_set(
    db_api_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    """api_driver_search runs as the owner (RLS does not apply to it): it filters by itself."""
    other = await owner_pool.fetchval(
        "INSERT INTO orgs (slug, name) VALUES ($1, 'Other') RETURNING org_id",
        f"s-{org_id.hex[:12]}",
    )
    await seed_named_drivers(owner_pool, org_id, [("Nadia", "Samir")])
    await seed_named_drivers(owner_pool, other, [("Nadia", "Samir")])
    async with db_api_pool.acquire() as conn, conn.transaction():
        unset = await conn.fetch("SELECT api_driver_search('uber', '%nadia%')")
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(org_id))
        found = await conn.fetch("SELECT api_driver_search('uber', '%nadia%')")
    assert unset == []
    assert [r[0] for r in found] == [f"{org_id.hex[:6]}-000"]
