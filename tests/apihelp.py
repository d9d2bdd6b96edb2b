"""API test helpers: the app with its real lifespan, users, and login through the route."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

import asyncpg
import httpx
import pytest

from fleet.accounts import create_user
from fleet.config import DatabaseSettings, JwtSettings
from query_api.app import ApiSettings, create_app

JWT = JwtSettings(secret="test-secret-" + "x" * 40)
PASSWORD = "correct horse battery staple"


@dataclass
class User:
    email: str
    org_id: UUID
    role: str


@pytest.fixture
async def api(db: DatabaseSettings, nats_server) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    app = create_app(ApiSettings(database=db, jwt=JWT, nats_url=nats_server.url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            yield client


@pytest.fixture
def make_user(owner_pool: asyncpg.Pool) -> Callable[..., Awaitable[User]]:
    async def make(org_id: UUID, role: str = "manager") -> User:
        email = f"{role}-{uuid.uuid4().hex[:10]}@example.test"
        async with owner_pool.acquire() as conn:
            await create_user(conn, email=email, password=PASSWORD, org=str(org_id), role=role)
        return User(email, org_id, role)

    return make


async def login(api: httpx.AsyncClient, user: User) -> dict[str, str]:
    response = await api.post("/auth/login", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
