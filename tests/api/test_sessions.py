"""Refresh tokens (rotated, reuse revokes the family, logout revokes) and login throttling."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from query_api.sessions import AuthSettings
from tests.apihelp import PASSWORD, ApiClient, bearer, login_tokens


async def _refresh(api: ApiClient, token: str) -> tuple[int, dict[str, Any]]:
    response = await api.post("/auth/refresh", json={"refresh_token": token})
    return response.status_code, response.json()


async def test_login_returns_a_refresh_token_beside_the_access_token(
    api: ApiClient, make_user, org_id: UUID
) -> None:
    tokens = await login_tokens(api, await make_user(org_id, "viewer"))
    assert set(tokens) == {
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "refresh_expires_in",
    }
    assert tokens["token_type"] == "bearer"
    assert tokens["refresh_expires_in"] == AuthSettings().refresh_ttl_s


async def test_refresh_rotates_and_a_reused_token_revokes_the_whole_family(
    api: ApiClient, make_user, org_id: UUID
) -> None:
    first = (await login_tokens(api, await make_user(org_id, "manager")))["refresh_token"]
    status, second = await _refresh(api, first)
    me = await api.get("/auth/me", headers=bearer(second["access_token"]))
    assert status == 200 and me.json()["role"] == "manager"
    assert second["refresh_token"] != first

    replay, problem = await _refresh(api, first)
    after_replay, _ = await _refresh(api, second["refresh_token"])
    assert (replay, problem["detail"]) == (401, "refresh token reused")
    assert after_replay == 401


async def test_logout_revokes_the_session_and_is_quiet_about_unknown_tokens(
    api: ApiClient, make_user, org_id: UUID
) -> None:
    tokens = await login_tokens(api, await make_user(org_id))
    out = await api.post("/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    unknown = await api.post("/auth/logout", json={"refresh_token": "x" * 43})
    status, _ = await _refresh(api, tokens["refresh_token"])
    assert (out.status_code, unknown.status_code, status) == (204, 204, 401)


async def test_expired_or_disabled_users_refresh_tokens_are_refused(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    expiring = await make_user(org_id)
    disabled = await make_user(org_id)
    old = (await login_tokens(api, expiring))["refresh_token"]
    gone = (await login_tokens(api, disabled))["refresh_token"]
    await owner_pool.execute(
        "UPDATE refresh_tokens SET expires_at = now() - interval '1 second' "
        "WHERE user_id = (SELECT user_id FROM users WHERE email = $1)",
        expiring.email,
    )
    await owner_pool.execute("UPDATE users SET disabled = true WHERE email = $1", disabled.email)
    expired_status, expired = await _refresh(api, old)
    disabled_status, refused = await _refresh(api, gone)
    assert (expired_status, expired["detail"]) == (401, "refresh token expired")
    assert (disabled_status, refused["detail"]) == (401, "refresh token disabled")


async def _fail(api: ApiClient, email: str) -> int:
    response = await api.post("/auth/login", json={"email": email, "password": "wrong"})
    return response.status_code


async def test_five_failures_for_one_email_lock_it_from_every_address(
    api: ApiClient, make_user, org_id: UUID
) -> None:
    user = await make_user(org_id)
    statuses = []
    for _ in range(5):
        async with api.from_address() as elsewhere:
            statuses.append(await _fail(elsewhere, user.email))
    async with api.from_address() as fresh:
        locked = await fresh.post("/auth/login", json={"email": user.email, "password": PASSWORD})
    assert statuses == [401] * 5
    assert locked.status_code == 429
    assert locked.headers["content-type"] == "application/problem+json"
    assert 1 <= int(locked.headers["retry-after"]) <= 15 * 60


async def test_five_failures_from_one_address_lock_it_for_every_email(
    api: ApiClient, make_user, org_id: UUID
) -> None:
    statuses = [await _fail(api, f"nobody-{i}@example.test") for i in range(5)]
    user = await make_user(org_id)
    locked = await api.post("/auth/login", json={"email": user.email, "password": PASSWORD})
    async with api.from_address() as other:
        elsewhere = await login_tokens(other, user)
    assert statuses == [401] * 5
    assert locked.status_code == 429
    assert elsewhere["access_token"]


async def test_a_success_forgets_the_failures_of_that_email(
    api: ApiClient, make_user, org_id: UUID
) -> None:
    user = await make_user(org_id)
    for _ in range(4):
        async with api.from_address() as elsewhere:
            await _fail(elsewhere, user.email)
    async with api.from_address() as ok:
        await login_tokens(ok, user)
    statuses = []
    for _ in range(4):
        async with api.from_address() as elsewhere:
            statuses.append(await _fail(elsewhere, user.email))
    assert statuses == [401] * 4
