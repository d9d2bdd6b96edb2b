"""The settlement settings (docs/SETTLEMENTS.md), read once at start; a bad one stops us."""

from __future__ import annotations

from collections.abc import Mapping

from contracts.settlement import Rules, parse_boundaries, parse_scheme, percent_bp
from core.config import ConfigError


def settlement_rules(env: Mapping[str, str]) -> Rules:
    """``FLEET_SETTLEMENT_DEFAULT_SCHEME``, ``_VAT_PCT`` and ``_WEEK_STARTS``, or defaults."""
    rules = Rules()
    try:
        scheme = env.get("FLEET_SETTLEMENT_DEFAULT_SCHEME")
        vat = env.get("FLEET_SETTLEMENT_VAT_PCT")
        starts = env.get("FLEET_SETTLEMENT_WEEK_STARTS")
        return Rules(
            default_scheme=parse_scheme(scheme) if scheme else rules.default_scheme,
            vat_rate=percent_bp(vat) if vat else rules.vat_rate,
            boundaries=parse_boundaries(starts) if starts else rules.boundaries,
        )
    except ValueError as exc:
        raise ConfigError(f"settlement settings: {exc}") from exc
