"""Typed simulator settings, read once at start-up and validated there.

Every field has a default that matches docs/PROVIDERS.md §3/§4, so
``SimulatorSettings()`` is a working configuration. ``from_env`` reads the
``SIM_*`` variables and fails fast on a malformed value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Self

# field name -> environment variable (int, float, bool and str fields).
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
    "rate_limits": "SIM_RATE_LIMITS",
    "uber_rate_per_s": "SIM_UBER_RATE_PER_S",
    "uber_txn_rate_per_s": "SIM_UBER_TXN_RATE_PER_S",
    "bolt_rate_per_s": "SIM_BOLT_RATE_PER_S",
    "bolt_rate_burst": "SIM_BOLT_RATE_BURST",
    "uber_emit_retry_after": "SIM_UBER_EMIT_RETRY_AFTER",
    "bolt_emit_retry_after": "SIM_BOLT_EMIT_RETRY_AFTER",
    "uber_token_mint_per_hour": "SIM_UBER_TOKEN_MINT_PER_HOUR",
    "uber_report_delay_s": "SIM_UBER_REPORT_DELAY_S",
    "uber_report_fail_percent": "SIM_UBER_REPORT_FAIL_PERCENT",
    "uber_reports_max_in_progress": "SIM_UBER_REPORTS_MAX_IN_PROGRESS",
    "uber_report_max_days": "SIM_UBER_REPORT_MAX_DAYS",
    "uber_report_link_ttl_s": "SIM_UBER_REPORT_LINK_TTL_S",
    "uber_report_links_per_10min": "SIM_UBER_REPORT_LINKS_PER_10MIN",
    "uber_report_zip_above_rows": "SIM_UBER_REPORT_ZIP_ABOVE_ROWS",
    "churn_per_hour": "SIM_CHURN_PER_HOUR",
    "both_platforms_share": "SIM_BOTH_PLATFORMS_SHARE",
}
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


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
    # Past this many live tokens, minting a new one evicts the oldest (docs/PROVIDERS.md §3, §4 #2).
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
    # Per-client token buckets, one per endpoint (docs/PROVIDERS.md §3, §4 #4, #14). Off by
    # default so that tests pace nothing; ``SIM_RATE_LIMITS=1`` turns them on (demos, the
    # rate-limit tests).
    rate_limits: bool = False
    uber_rate_per_s: int = 10  # every Uber endpoint but transactions; burst = rate
    uber_txn_rate_per_s: int = 1
    bolt_rate_per_s: int = 1
    bolt_rate_burst: int = 5
    # Whether a 429 carries Retry-After (unknown for both: off, docs/PROVIDERS.md §4 #5, #14).
    uber_emit_retry_after: bool = False
    bolt_emit_retry_after: bool = False
    uber_token_mint_per_hour: int = 100  # the 101st mint within an hour answers 429
    # Asynchronous reports (docs/PROVIDERS.md §1.8, §4 #11 and #12).
    uber_report_delay_s: int = 3  # IN_PROGRESS for this long after generation (0 in tests)
    uber_report_fail_percent: int = 0  # share of reports that end FAILED (drawn from the seed)
    uber_reports_max_in_progress: int = 6
    uber_report_max_days: int = 31
    uber_report_link_ttl_s: int = 60
    uber_report_links_per_10min: int = 600
    uber_report_zip_above_rows: int = 10000
    # "Time moves on": drivers joining and leaving per hour of the clock (both providers).
    churn_per_hour: int = 0
    # Share of the people who drive on both platforms (see ``platforms``), 0..1.
    both_platforms_share: float = 0.4

    def __post_init__(self) -> None:
        for name in ("uber_drivers", "bolt_drivers", "uber_history_days", "bolt_history_days"):
            _require(getattr(self, name) >= 0, f"{name} must be >= 0")
        for name in ("uber_orgs", "bolt_companies", "uber_token_ttl_s", "bolt_token_ttl_s"):
            _require(getattr(self, name) >= 1, f"{name} must be >= 1")
        _require(1 <= self.uber_default_page_size <= 100, "uber_default_page_size must be 1..100")
        _require(self.uber_token_max_live >= 1, "uber_token_max_live must be >= 1")
        for name in (
            "uber_rate_per_s", "uber_txn_rate_per_s", "bolt_rate_per_s", "bolt_rate_burst",
            "uber_token_mint_per_hour", "uber_reports_max_in_progress", "uber_report_max_days",
            "uber_report_link_ttl_s", "uber_report_links_per_10min", "uber_report_zip_above_rows",
        ):  # fmt: skip
            _require(getattr(self, name) >= 1, f"{name} must be >= 1")
        for name in ("uber_report_delay_s", "churn_per_hour"):
            _require(getattr(self, name) >= 0, f"{name} must be >= 0")
        _require(0 <= self.uber_report_fail_percent <= 100, "uber_report_fail_percent: 0..100")
        _require(0.0 <= self.both_platforms_share <= 1.0, "both_platforms_share must be 0..1")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Self:
        """Build settings from ``SIM_*`` variables; unset ones keep their defaults."""
        kinds = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}
        for name, env_name in ENV_NAMES.items():
            raw = environ.get(env_name)
            if raw is None:
                continue
            values[name] = _parse(kinds[name], env_name, raw)
        return cls(**values)


def _parse(kind: object, env_name: str, raw: str) -> int | float | bool | str:
    """An ``int``, ``float``, ``bool`` or ``str`` field's value from its variable."""
    if kind == "int":
        return _parse_int(env_name, raw)
    if kind == "float":
        return _parse_float(env_name, raw)
    if kind == "bool":
        word = raw.strip().lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise ValueError(f"{env_name} must be 1/0, true/false, yes/no or on/off, got {raw!r}")
        return word in TRUE_WORDS
    return raw


def _parse_int(env_name: str, raw: str) -> int:
    """Parse an integer variable or stop with a message naming the variable."""
    try:
        return int(raw.strip())
    except ValueError:
        raise ValueError(f"{env_name} must be an integer, got {raw!r}") from None


def _parse_float(env_name: str, raw: str) -> float:
    """Parse a decimal variable (``0.4``) or stop with a message naming the variable."""
    try:
        return float(raw.strip())
    except ValueError:
        raise ValueError(f"{env_name} must be a decimal number, got {raw!r}") from None


def _require(condition: bool, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``condition`` holds."""
    if not condition:
        raise ValueError(f"invalid simulator settings: {message}")
