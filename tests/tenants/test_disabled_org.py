"""A disabled org: its users can neither log in nor refresh; enabled again, they can."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from fleet.tenants import set_disabled
from tests.apihelp import PASSWORD, ApiClient, login_tokens


async def test_a_disabled_orgs_users_can_neither_log_in_nor_refresh(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    user = await make_user(org_id, "admin")
    refresh = (await login_tokens(api, user))["refresh_token"]
    async with owner_pool.acquire() as conn:
        await set_disabled(conn, str(org_id), disabled=True)

    credentials = {"email": user.email, "password": PASSWORD}
    assert (await api.post("/auth/login", json=credentials)).status_code == 401
    answer = await api.post("/auth/refresh", json={"refresh_token": refresh})
    assert answer.status_code == 401

    async with owner_pool.acquire() as conn:
        await set_disabled(conn, str(org_id), disabled=False)
    assert (await api.post("/auth/login", json=credentials)).status_code == 200
