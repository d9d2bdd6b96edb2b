"""API test helpers: the app with its real lifespan, users, and login through the route."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from core.config import DatabaseSettings, JwtSettings
from fleet.accounts import create_user
from query_api.app import ApiSettings, create_app

JWT = JwtSettings(secret="test-secret-" + "x" * 40)
PASSWORD = "correct horse battery staple"


@dataclass
class User:
    email: str
    org_id: UUID
    role: str


def client_address() -> str:
    """An address of its own for each test client: login throttling counts per address."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


class ApiClient(httpx.AsyncClient):
    """A client of the app under test, calling from an address of its own."""

    def __init__(self, app: FastAPI, address: str | None = None) -> None:
        self.app = app
        self.address = address or client_address()
        transport = httpx.ASGITransport(app=app, client=(self.address, 40000))
        super().__init__(transport=transport, base_url="http://api")

    def from_address(self, address: str | None = None) -> ApiClient:
        """Another caller of the same app (close it after use)."""
        return ApiClient(self.app, address)


@pytest.fixture
async def api(db: DatabaseSettings, nats_server) -> AsyncIterator[ApiClient]:  # type: ignore[no-untyped-def]
    app = create_app(ApiSettings(database=db, jwt=JWT, nats_url=nats_server.url))
    async with app.router.lifespan_context(app), ApiClient(app) as client:
        yield client


@pytest.fixture
def make_user(owner_pool: asyncpg.Pool) -> Callable[..., Awaitable[User]]:
    async def make(org_id: UUID, role: str = "manager") -> User:
        email = f"{role}-{uuid.uuid4().hex[:10]}@example.test"
        async with owner_pool.acquire() as conn:
            await create_user(conn, email=email, password=PASSWORD, org=str(org_id), role=role)
        return User(email, org_id, role)

    return make


async def login_tokens(api: httpx.AsyncClient, user: User) -> dict[str, Any]:
    """The login answer: access and refresh tokens."""
    response = await api.post("/auth/login", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def login(api: httpx.AsyncClient, user: User) -> dict[str, str]:
    """Headers carrying the access token of ``user``."""
    return bearer((await login_tokens(api, user))["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
