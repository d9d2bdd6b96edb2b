"""With SUPABASE_JWT_SECRET, access tokens issued by Supabase Auth are accepted too."""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from uuid import UUID

import jwt
import pytest

from core.config import DatabaseSettings
from query_api.app import ApiSettings, create_app
from tests.apihelp import JWT, ApiClient, User, bearer

SUPABASE_SECRET = "supabase-project-jwt-secret-" + "s" * 24


def supabase_token(email: str, *, secret: str = SUPABASE_SECRET, aud: str = "authenticated",
                   expires_in: int = 3600) -> str:  # fmt: skip
    """An access token as Supabase Auth issues it: HS256, sub = its user id, the e-mail."""
    now = int(time.time())
    claims = {"sub": str(uuid.uuid4()), "aud": aud, "role": "authenticated", "email": email,
              "iat": now, "exp": now + expires_in}  # fmt: skip
    return jwt.encode(claims, secret, algorithm="HS256")


@pytest.fixture
async def supabase_api(db: DatabaseSettings, nats_server) -> AsyncIterator[ApiClient]:  # type: ignore[no-untyped-def]
    settings = dataclasses.replace(JWT, supabase_secret=SUPABASE_SECRET)
    app = create_app(ApiSettings(database=db, jwt=settings, nats_url=nats_server.url))
    async with app.router.lifespan_context(app), ApiClient(app) as client:
        yield client


async def test_a_supabase_token_of_a_user_here_gets_that_users_role_and_org(
    supabase_api: ApiClient, make_user: Callable[..., Awaitable[User]], org_id: UUID
) -> None:
    user = await make_user(org_id, "viewer")

    me = await supabase_api.get("/auth/me", headers=bearer(supabase_token(user.email)))

    assert me.status_code == 200, me.text
    assert (me.json()["email"], me.json()["role"], me.json()["org_id"]) == (
        user.email, "viewer", str(org_id)
    )  # fmt: skip
    drivers = await supabase_api.get("/fleet/drivers", headers=bearer(supabase_token(user.email)))
    assert drivers.status_code == 200


async def test_a_supabase_user_with_no_account_here_is_forbidden(supabase_api: ApiClient) -> None:
    answer = await supabase_api.get(
        "/auth/me", headers=bearer(supabase_token("stranger@example.test"))
    )
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "token",
    [
        supabase_token("x@example.test", secret="another-project-secret-" + "z" * 24),
        supabase_token("x@example.test", aud="anon"),
        supabase_token("x@example.test", expires_in=-10),
    ],
    ids=["other secret", "other audience", "expired"],
)
async def test_a_token_supabase_did_not_issue_for_us_is_refused(
    supabase_api: ApiClient, token: str
) -> None:
    assert (await supabase_api.get("/auth/me", headers=bearer(token))).status_code == 401


async def test_without_the_setting_a_supabase_token_is_refused(
    api: ApiClient, make_user: Callable[..., Awaitable[User]], org_id: UUID
) -> None:
    user = await make_user(org_id, "admin")
    answer = await api.get("/auth/me", headers=bearer(supabase_token(user.email)))
    assert answer.status_code == 401
