"""Login and tokens: only a valid, unexpired token of ours gets in."""

from __future__ import annotations

import time
from uuid import UUID

import httpx
import jwt

from query_api.security import Principal, issue_access_token
from tests.apihelp import JWT, PASSWORD, login


async def test_login_returns_a_token_that_identifies_the_user(
    api: httpx.AsyncClient, make_user, org_id: UUID
) -> None:
    user = await make_user(org_id, "viewer")
    headers = await login(api, user)
    me = await api.get("/auth/me", headers=headers)
    assert me.status_code == 200
    assert me.json() == {
        "user_id": me.json()["user_id"],
        "email": user.email,
        "org_id": str(org_id),
        "role": "viewer",
    }


async def test_wrong_password_is_401_problem_json(
    api: httpx.AsyncClient, make_user, org_id: UUID
) -> None:
    user = await make_user(org_id)
    response = await api.post("/auth/login", json={"email": user.email, "password": "nope"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Unauthorized"


async def test_unknown_email_is_the_same_401(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/auth/login", json={"email": "nobody@example.test", "password": PASSWORD}
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "invalid email or password"


async def test_login_body_errors_are_422_with_the_field(api: httpx.AsyncClient) -> None:
    response = await api.post("/auth/login", json={"email": "a@b.c"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert any(e["field"] == "body.password" for e in response.json()["errors"])


def _token(org_id: UUID, **overrides: object) -> str:
    who = Principal(UUID(int=1), org_id, "admin", "x@example.test")
    claims = jwt.decode(issue_access_token(JWT, who), options={"verify_signature": False})
    claims.update(overrides)
    return jwt.encode(claims, JWT.secret, algorithm="HS256")


async def test_expired_token_is_401(api: httpx.AsyncClient, org_id: UUID) -> None:
    past = int(time.time()) - 3600
    token = _token(org_id, iat=past - 900, exp=past)
    response = await api.get("/fleet/drivers", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["detail"] == "token expired"


async def test_tampered_token_is_401(api: httpx.AsyncClient, make_user, org_id: UUID) -> None:
    headers = await login(api, await make_user(org_id))
    token = headers["Authorization"].removeprefix("Bearer ")
    header, _payload, signature = token.split(".")
    forged = jwt.encode(
        {**jwt.decode(token, options={"verify_signature": False}), "role": "admin"},
        "another-key-" + "y" * 40,
        algorithm="HS256",
    )
    for bad in (f"{header}.{forged.split('.')[1]}.{signature}", forged, token[:-3] + "abc"):
        response = await api.get("/auth/me", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401, bad


async def test_unsigned_and_foreign_audience_tokens_are_401(
    api: httpx.AsyncClient, org_id: UUID
) -> None:
    claims = jwt.decode(_token(org_id), options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    other_aud = _token(org_id, aud="someone-else")
    for token in (unsigned, other_aud, "not-a-jwt"):
        response = await api.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401


async def test_every_fleet_route_needs_a_token(api: httpx.AsyncClient) -> None:
    for path in ("/fleet/drivers", "/fleet/drivers/some-id", "/auth/me"):
        response = await api.get(path)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


async def test_only_a_bearer_scheme_with_a_token_is_read(
    api: httpx.AsyncClient, make_user, org_id: UUID
) -> None:
    token = (await login(api, await make_user(org_id)))["Authorization"].removeprefix("Bearer ")
    for value in (f"Basic {token}", "Bearer", "Bearer   ", token, f"Bearer{token}"):
        response = await api.get("/auth/me", headers={"Authorization": value})
        assert response.status_code == 401, value
        assert response.headers["content-type"] == "application/problem+json"
    for value in (f"bearer {token}", f"BEARER  {token} "):  # the scheme is case-insensitive
        assert (await api.get("/auth/me", headers={"Authorization": value})).status_code == 200
