"""Scale-out on one machine: a NATS cluster, projector and ingest fail-over (``-m scale``)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "scale: scale-out and fail-over on one machine (NATS cluster, standbys)"
    )
