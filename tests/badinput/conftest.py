"""The bad-input suite (``-m badinput``): hostile requests against every route of the API."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "badinput: hostile requests against every API route (tests/badinput/)"
    )
