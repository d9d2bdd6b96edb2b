"""Fixtures for the simulator tests: an in-process app on a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import pytest

from simulator import FixedClock, SimulatorSettings, create_app

NOW = datetime(2025, 3, 10, 8, 0, 0, tzinfo=UTC)
ALL_UBER_SCOPES = (
    "vehicle_suppliers.organizations.read solutions.suppliers.drivers.status.read "
    "solutions.suppliers.metrics.read supplier.partner.payments solutions.suppliers.reports"
)


class UberCalls:
    """Thin helpers for talking to the simulator as an Uber client would."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.token = ""

    async def login(self, scope: str = ALL_UBER_SCOPES) -> str:
        """Mint a token and remember it for later calls."""
        response = await self.client.post(
            "/oauth/v2/token",
            data={
                "client_id": "sim-uber-client",
                "client_secret": "sim-uber-secret",
                "grant_type": "client_credentials",
                "scope": scope,
            },
        )
        assert response.status_code == 200, response.text
        self.token = str(response.json()["access_token"])
        return self.token

    def auth(self) -> dict[str, str]:
        """The bearer header for the remembered token."""
        return {"Authorization": f"Bearer {self.token}"}

    async def get(self, path: str, **params: Any) -> httpx.Response:
        """An authenticated GET."""
        return await self.client.get(path, params=params, headers=self.auth())

    async def post(self, path: str, body: Any, **params: Any) -> httpx.Response:
        """An authenticated JSON POST."""
        return await self.client.post(path, json=body, params=params, headers=self.auth())

    async def org_id(self) -> str:
        """The encrypted id of the root organisation."""
        response = await self.get("/v1/vehicle-suppliers/orgs")
        return str(response.json()["organizations"][0]["id"])

    async def sim(self, path: str, body: Any | None = None) -> Any:
        """Call a ``/_sim/`` control endpoint and return its JSON."""
        if body is None and path.endswith("stats"):
            response = await self.client.get(path)
        else:
            response = await self.client.post(path, json=body or {})
        assert response.status_code == 200, response.text
        return response.json()


BOLT_API = "/fleet-integration-gateway/fleetIntegration/v1"


class BoltCalls:
    """Thin helpers for talking to the simulator as a Bolt client would."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.token = ""

    async def login(self) -> str:
        """Mint a token and remember it."""
        response = await self.client.post(
            "/token",
            data={
                "client_id": "sim-bolt-client",
                "client_secret": "sim-bolt-secret",
                "grant_type": "client_credentials",
                "scope": "fleet-integration:api",
            },
        )
        assert response.status_code == 200, response.text
        self.token = str(response.json()["access_token"])
        return self.token

    def auth(self) -> dict[str, str]:
        """The bearer header for the remembered token."""
        return {"Authorization": f"Bearer {self.token}"}

    async def call(self, operation: str, body: Any | None = None) -> httpx.Response:
        """POST an operation (GET for getCompanies) and return the raw response."""
        url = f"{BOLT_API}/{operation}"
        if operation == "getCompanies":
            return await self.client.get(url, headers=self.auth())
        return await self.client.post(url, json=body or {}, headers=self.auth())

    async def ok(self, operation: str, body: Any | None = None) -> Any:
        """Call an operation that must succeed and return its ``data``."""
        response = await self.call(operation, body)
        assert response.status_code == 200, response.text
        envelope = response.json()
        assert envelope["code"] == 0, envelope
        return envelope["data"]


@pytest.fixture
def clock() -> FixedClock:
    """A clock frozen at ``NOW``."""
    return FixedClock(NOW)


@pytest.fixture
def settings() -> SimulatorSettings:
    """Default settings (seed 42, 25 drivers per provider)."""
    return SimulatorSettings()


@pytest.fixture
async def client(
    settings: SimulatorSettings, clock: FixedClock
) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client wired to a fresh in-process simulator."""
    app = create_app(settings, clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as http:
        yield http


Calls = TypeVar("Calls", UberCalls, BoltCalls)
Opener = Callable[[SimulatorSettings], Awaitable[Calls]]


async def _logged_in(calls_type: type[Calls], http: httpx.AsyncClient) -> Calls:
    """A ``calls_type`` client on ``http``, already holding a token."""
    calls = calls_type(http)
    await calls.login()
    return calls


@pytest.fixture
async def uber(client: httpx.AsyncClient) -> UberCalls:
    """An Uber client already holding a token with every granted scope."""
    return await _logged_in(UberCalls, client)


@pytest.fixture
async def bolt(client: httpx.AsyncClient) -> BoltCalls:
    """A Bolt client already holding a token."""
    return await _logged_in(BoltCalls, client)


@asynccontextmanager
async def _opener(clock: FixedClock, calls_type: type[Calls]) -> AsyncIterator[Opener[Calls]]:
    """Opens logged-in clients on fresh simulators, and closes them all at the end."""
    opened: list[httpx.AsyncClient] = []

    async def open_one(settings: SimulatorSettings) -> Calls:
        transport = httpx.ASGITransport(app=create_app(settings, clock))
        http = httpx.AsyncClient(transport=transport, base_url="http://sim.test")
        opened.append(http)
        return await _logged_in(calls_type, http)

    try:
        yield open_one
    finally:
        for http in opened:
            await http.aclose()


@pytest.fixture
async def open_uber(clock: FixedClock) -> AsyncIterator[Opener[UberCalls]]:
    """Factory: a logged-in Uber client on a fresh simulator built from custom settings."""
    async with _opener(clock, UberCalls) as open_one:
        yield open_one


@pytest.fixture
async def open_bolt(clock: FixedClock) -> AsyncIterator[Opener[BoltCalls]]:
    """Factory: a logged-in Bolt client on a fresh simulator built from custom settings."""
    async with _opener(clock, BoltCalls) as open_one:
        yield open_one
