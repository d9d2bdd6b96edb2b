"""Uber time formats: epoch-ms inputs, ISO-8601 UTC outputs (docs/PROVIDERS.md §1.6)."""

from __future__ import annotations

from datetime import UTC, datetime


def iso_utc(ts: int) -> str:
    """``2025-03-10T07:41:30.000Z`` for unix seconds ``ts``."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def iso_utc_short(ts: int) -> str:
    """``2025-03-10T07:41:30Z`` (the form transactions use)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
