"""CORS: a dashboard hosted apart from the API may call it from the configured origins only,
tokens included; with none configured (the default) the API sends no CORS header at all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import httpx
import pytest

from core.config import ConfigError, DatabaseSettings, load_cors_origins
from query_api.app import ApiSettings, create_app
from tests.apihelp import JWT, ApiClient, login

DASHBOARD = "https://dashboard.example.test"
OTHER = "https://elsewhere.example.test"
ALLOW_ORIGIN = "access-control-allow-origin"


def preflight(origin: str) -> dict[str, str]:
    """The headers of a browser's preflight for a GET carrying a bearer token."""
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }


async def ask_then_call(
    client: ApiClient, origin: str, headers: dict[str, str]
) -> tuple[httpx.Response, httpx.Response]:
    """A browser's preflight for GET /auth/me from ``origin``, then the call itself."""
    asked = await client.options("/auth/me", headers=preflight(origin))
    called = await client.get("/auth/me", headers={**headers, "Origin": origin})
    return asked, called


@pytest.fixture
async def cors_api(db: DatabaseSettings, nats_server) -> AsyncIterator[ApiClient]:  # type: ignore[no-untyped-def]
    settings = ApiSettings(
        database=db, jwt=JWT, nats_url=nats_server.url, cors_origins=(DASHBOARD,)
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app), ApiClient(app) as client:
        yield client


async def test_a_configured_origin_may_call_with_its_token(
    cors_api: ApiClient, make_user, org_id: UUID
) -> None:
    headers = await login(cors_api, await make_user(org_id))

    asked, called = await ask_then_call(cors_api, DASHBOARD, headers)

    assert asked.status_code == 200
    assert asked.headers[ALLOW_ORIGIN] == DASHBOARD
    assert asked.headers["access-control-allow-credentials"] == "true"
    assert "authorization" in asked.headers["access-control-allow-headers"].lower()
    assert called.status_code == 200
    assert called.headers[ALLOW_ORIGIN] == DASHBOARD
    assert called.headers["access-control-allow-credentials"] == "true"


async def test_another_origin_gets_no_allow_origin(
    cors_api: ApiClient, make_user, org_id: UUID
) -> None:
    headers = await login(cors_api, await make_user(org_id))

    asked, called = await ask_then_call(cors_api, OTHER, headers)

    assert asked.status_code >= 400
    assert ALLOW_ORIGIN not in asked.headers
    assert ALLOW_ORIGIN not in called.headers


async def test_without_configured_origins_no_cors_header_is_sent(api: ApiClient) -> None:
    asked = await api.options("/auth/me", headers=preflight(DASHBOARD))
    called = await api.get("/healthz", headers={"Origin": DASHBOARD})

    assert not any(h.startswith("access-control-") for h in asked.headers)
    assert not any(h.startswith("access-control-") for h in called.headers)


def test_the_origins_setting_takes_exact_origins_and_refuses_the_rest() -> None:
    setting = {"FLEET_CORS_ORIGINS": f" {DASHBOARD}, http://localhost:5173 "}

    assert load_cors_origins(setting) == (DASHBOARD, "http://localhost:5173")
    assert load_cors_origins({}) == ()
    for wrong in ("*", f"{DASHBOARD}/", f"{DASHBOARD}/app", "dashboard.example.test"):
        with pytest.raises(ConfigError, match="FLEET_CORS_ORIGINS"):
            load_cors_origins({"FLEET_CORS_ORIGINS": wrong})
