"""Process entry point: serve the simulator with uvicorn."""

from __future__ import annotations

import uvicorn

from simulator.app import create_app
from simulator.settings import SimulatorSettings


def run(settings: SimulatorSettings, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve a simulator built from ``settings`` until interrupted."""
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
