"""No response and no log line carries a password hash; no plaintext refresh token is stored."""

from __future__ import annotations

import hashlib
import logging
from uuid import UUID

import asyncpg
import httpx
import pytest

from tests.apihelp import PASSWORD, ApiClient, User, bearer, login_tokens


async def _exercise(api: ApiClient, user: User) -> tuple[list[httpx.Response], list[str]]:
    """Every kind of call a user makes, good and bad; the responses and refresh tokens seen."""
    email = user.email
    first = await login_tokens(api, user)
    auth = bearer(first["access_token"])
    calls = [
        api.post("/auth/login", json={"email": email, "password": "wrong"}),
        api.post("/auth/login", json={"email": email}),
        api.get("/auth/me", headers=auth),
        api.get("/fleet/drivers", headers=auth),
        api.get("/fleet/drivers", params={"format": "csv"}, headers=auth),
        api.get("/audit/events", headers=auth),
        api.get("/admin/projections", headers=auth),
        api.get("/openapi.json"),
    ]
    responses = [await call for call in calls]
    refreshed = await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    second = refreshed.json()["refresh_token"]
    responses += [
        refreshed,
        await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]}),
        await api.post("/auth/logout", json={"refresh_token": second}),
    ]
    return responses, [first["refresh_token"], second]


async def test_no_password_hash_in_responses_or_logs_and_only_token_hashes_stored(
    api: ApiClient,
    make_user,
    owner_pool: asyncpg.Pool,
    org_id: UUID,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    user = await make_user(org_id, "admin")
    responses, tokens = await _exercise(api, user)
    password_hash = await owner_pool.fetchval(
        "SELECT password_hash FROM users WHERE email = $1", user.email
    )
    stored = await owner_pool.fetch(
        "SELECT token_hash, t::text AS whole FROM refresh_tokens t "
        "WHERE user_id = (SELECT user_id FROM users WHERE email = $1)",
        user.email,
    )

    seen = [r.text for r in responses] + [str(r.headers) for r in responses] + [caplog.text]
    for text in seen:
        assert password_hash not in text and "$argon2" not in text and PASSWORD not in text
    assert {bytes(r["token_hash"]) for r in stored} == {
        hashlib.sha256(t.encode()).digest() for t in tokens
    }
    for token in tokens:
        for row in stored:
            assert token not in row["whole"] and token.encode().hex() not in row["whole"]
