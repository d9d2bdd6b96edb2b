"""The settlement settings (docs/SETTLEMENTS.md), read once at start; a bad one stops us."""

from __future__ import annotations

from collections.abc import Mapping

from contracts.settlement import (
    Rules,
    parse_boundaries,
    parse_categories,
    parse_net_includes,
    parse_scheme,
    percent_bp,
)
from core.config import ConfigError


def settlement_rules(env: Mapping[str, str]) -> Rules:
    """``FLEET_SETTLEMENT_DEFAULT_SCHEME``, ``_VAT_PCT``, ``_WEEK_STARTS``,
    ``_BOLT_NET_INCLUDES`` and ``_UBER_CATEGORIES``, or their defaults."""
    rules = Rules()
    try:
        scheme = env.get("FLEET_SETTLEMENT_DEFAULT_SCHEME")
        vat = env.get("FLEET_SETTLEMENT_VAT_PCT")
        starts = env.get("FLEET_SETTLEMENT_WEEK_STARTS")
        in_net = env.get("FLEET_SETTLEMENT_BOLT_NET_INCLUDES")
        categories = env.get("FLEET_SETTLEMENT_UBER_CATEGORIES")
        return Rules(
            default_scheme=parse_scheme(scheme) if scheme else rules.default_scheme,
            vat_rate=percent_bp(vat) if vat else rules.vat_rate,
            boundaries=parse_boundaries(starts) if starts else rules.boundaries,
            bolt_net_includes=parse_net_includes(in_net) if in_net else rules.bolt_net_includes,
            uber_categories=parse_categories(categories) if categories else (),
        )
    except ValueError as exc:
        raise ConfigError(f"settlement settings: {exc}") from exc
