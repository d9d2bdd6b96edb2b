"""The load suite (``-m load``): mixed API reads at full rate while ingestion runs."""

from __future__ import annotations

import pytest

from tests.fault.conftest import fault_db, own_nats  # noqa: F401 (fixtures: own db and NATS)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "load: mixed API reads at full rate while ingestion runs (tests/load/)"
    )
