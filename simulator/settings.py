"""Typed simulator settings, read once at start-up and validated there.

Every field has a default that matches providers.md §3/§4, so
``SimulatorSettings()`` is a working configuration. ``from_env`` reads the
``SIM_*`` variables and fails fast on a malformed value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Self

# field name -> environment variable. Only int and str fields are read from the environment.
ENV_NAMES: Mapping[str, str] = {
    "seed": "SIM_SEED",
    "uber_drivers": "SIM_UBER_DRIVERS",
    "uber_orgs": "SIM_UBER_ORGS",
    "uber_client_id": "SIM_UBER_CLIENT_ID",
    "uber_client_secret": "SIM_UBER_CLIENT_SECRET",
    "uber_token_ttl_s": "SIM_UBER_TOKEN_TTL_S",
    "uber_default_page_size": "SIM_UBER_DEFAULT_PAGE_SIZE",
    "uber_token_max_live": "SIM_UBER_TOKEN_MAX_LIVE",
    "uber_history_days": "SIM_UBER_HISTORY_DAYS",
    "uber_analytics_max_days": "SIM_UBER_ANALYTICS_MAX_DAYS",
    "uber_payments_empty_above": "SIM_UBER_PAYMENTS_EMPTY_ABOVE",
    "uber_txn_max_window_s": "SIM_UBER_TXN_MAX_WINDOW_S",
    "uber_txn_lookback_s": "SIM_UBER_TXN_LOOKBACK_S",
    "bolt_client_id": "SIM_BOLT_CLIENT_ID",
    "bolt_client_secret": "SIM_BOLT_CLIENT_SECRET",
    "bolt_companies": "SIM_BOLT_COMPANIES",
    "bolt_drivers": "SIM_BOLT_DRIVERS",
    "bolt_token_ttl_s": "SIM_BOLT_TOKEN_TTL_S",
    "bolt_history_days": "SIM_BOLT_HISTORY_DAYS",
    "bolt_max_range_days": "SIM_BOLT_MAX_RANGE_DAYS",
}


@dataclass(frozen=True)
class SimulatorSettings:
    """Configuration of one simulator process (both providers)."""

    seed: int = 42
    uber_drivers: int = 25
    uber_orgs: int = 1
    uber_client_id: str = "sim-uber-client"
    uber_client_secret: str = "sim-uber-secret"  # noqa: S105 (fake credential)
    uber_token_ttl_s: int = 2592000
    uber_default_page_size: int = 10
    # Past this many live tokens, minting a new one evicts the oldest (§3, §4 #2).
    uber_token_max_live: int = 100
    uber_history_days: int = 35
    uber_analytics_max_days: int = 8
    uber_payments_empty_above: int = 100
    uber_txn_max_window_s: int = 900
    uber_txn_lookback_s: int = 86400
    bolt_client_id: str = "sim-bolt-client"
    bolt_client_secret: str = "sim-bolt-secret"  # noqa: S105 (fake credential)
    bolt_companies: int = 1
    bolt_drivers: int = 25
    bolt_token_ttl_s: int = 600
    bolt_history_days: int = 35
    bolt_max_range_days: int = 31

    def __post_init__(self) -> None:
        for name in ("uber_drivers", "bolt_drivers", "uber_history_days", "bolt_history_days"):
            _require(getattr(self, name) >= 0, f"{name} must be >= 0")
        for name in ("uber_orgs", "bolt_companies", "uber_token_ttl_s", "bolt_token_ttl_s"):
            _require(getattr(self, name) >= 1, f"{name} must be >= 1")
        _require(1 <= self.uber_default_page_size <= 100, "uber_default_page_size must be 1..100")
        _require(self.uber_token_max_live >= 1, "uber_token_max_live must be >= 1")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Self:
        """Build settings from ``SIM_*`` variables; unset ones keep their defaults."""
        kinds = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}
        for name, env_name in ENV_NAMES.items():
            raw = environ.get(env_name)
            if raw is None:
                continue
            values[name] = _parse_int(env_name, raw) if kinds[name] == "int" else raw
        return cls(**values)


def _parse_int(env_name: str, raw: str) -> int:
    """Parse an integer variable or stop with a message naming the variable."""
    try:
        return int(raw.strip())
    except ValueError:
        raise ValueError(f"{env_name} must be an integer, got {raw!r}") from None


def _require(condition: bool, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``condition`` holds."""
    if not condition:
        raise ValueError(f"invalid simulator settings: {message}")
