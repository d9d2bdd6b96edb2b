"""The provider simulator served over real HTTP (uvicorn in a thread) for a test."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from core.config import BoltSettings, UberSettings
from fleet.runtime import free_port
from simulator import Clock, SimulatorSettings, create_app


@dataclass
class SimServer:
    url: str
    settings: SimulatorSettings

    def control(self, path: str, body: dict[str, Any] | None = None) -> Any:
        """POST (or GET without body) to a /_sim/ control endpoint."""
        with httpx.Client(base_url=self.url, timeout=10) as client:
            response = client.post(path, json=body) if body is not None else client.get(path)
            response.raise_for_status()
            return response.json()

    def chaos(self, provider: str = "uber", **faults: Any) -> None:
        """Replace ``provider``'s armed faults (see simulator/control.py)."""
        self.control("/_sim/chaos", {"provider": provider, **faults})

    def chaos_bolt(self, **faults: Any) -> None:
        self.chaos("bolt", **faults)

    def bolt_settings(self, company_ids: tuple[int, ...] | None = None) -> BoltSettings:
        """Bolt pointed at this simulator, unthrottled (tests pace nothing)."""
        return BoltSettings(
            client_id=self.settings.bolt_client_id,
            client_secret=self.settings.bolt_client_secret,
            token_url=f"{self.url}/token",
            api_base=f"{self.url}/fleet-integration-gateway",
            company_ids=company_ids,
            rate_rps=1000.0,
            rate_burst=1000,
            simulated=True,
        )

    def uber_settings(self) -> UberSettings:
        return UberSettings(
            client_id=self.settings.uber_client_id,
            client_secret=self.settings.uber_client_secret,
            token_url=f"{self.url}/oauth/v2/token",
            api_base=self.url,
            scopes="vehicle_suppliers.organizations.read solutions.suppliers.drivers.status.read",
            simulated=True,
        )


@contextmanager
def serve_simulator(settings: SimulatorSettings, clock: Clock | None = None) -> Iterator[SimServer]:
    with serve_app(create_app(settings, clock), settings) as server:
        yield server


@contextmanager
def serve_app(app: Starlette, settings: SimulatorSettings) -> Iterator[SimServer]:
    """Serve a simulator app built by the caller on a uvicorn thread, until the block ends."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("simulator did not start")
        time.sleep(0.01)
    try:
        yield SimServer(f"http://127.0.0.1:{port}", settings)
    finally:
        server.should_exit = True
        thread.join(10)
