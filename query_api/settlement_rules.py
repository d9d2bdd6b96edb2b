"""The settlement settings (docs/SETTLEMENTS.md), read once at start; a bad one stops us."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from contracts.settlement import (
    Rules,
    parse_categories,
    parse_net_includes,
    parse_scheme,
    percent_bp,
)
from contracts.weeks import week_rules_of
from core.config import ConfigError


def settlement_rules(env: Mapping[str, str]) -> Rules:
    """``FLEET_SETTLEMENT_DEFAULT_SCHEME``, ``_VAT_PCT``, ``_BOLT_NET_INCLUDES`` and
    ``_UBER_CATEGORIES``, or their defaults, and the weeks of ``FLEET_WEEK_STARTS``."""
    rules = Rules()
    try:
        scheme = env.get("FLEET_SETTLEMENT_DEFAULT_SCHEME")
        vat = env.get("FLEET_SETTLEMENT_VAT_PCT")
        in_net = env.get("FLEET_SETTLEMENT_BOLT_NET_INCLUDES")
        categories = env.get("FLEET_SETTLEMENT_UBER_CATEGORIES")
        return Rules(
            default_scheme=parse_scheme(scheme) if scheme else rules.default_scheme,
            vat_rate=percent_bp(vat) if vat else rules.vat_rate,
            boundaries=week_rules_of(env).boundaries,  # the one week setting, as /quality's
            bolt_net_includes=parse_net_includes(in_net) if in_net else rules.bolt_net_includes,
            uber_categories=parse_categories(categories) if categories else (),
        )
    except ValueError as exc:
        raise ConfigError(f"settlement settings: {exc}") from exc


@dataclass(frozen=True)
class Company:
    """The fleet as its statements name it (``FLEET_COMPANY_NAME``, ``FLEET_SIRET``); without
    a name, the statement shows the org's."""

    name: str | None = None
    siret: str | None = None


def company(env: Mapping[str, str]) -> Company:
    """The issuer's settings; a SIRET that is not 14 digits with a valid check digit (Luhn,
    as INSEE computes it; La Poste's establishments sum to a multiple of 5) stops us."""
    name = (env.get("FLEET_COMPANY_NAME") or "").strip() or None
    siret = re.sub(r"\s", "", env.get("FLEET_SIRET") or "") or None
    if siret is not None and not valid_siret(siret):
        raise ConfigError(f"FLEET_SIRET: {siret!r} is not a SIRET (14 digits, Luhn check)")
    return Company(name, siret)


def valid_siret(siret: str) -> bool:
    """14 digits whose Luhn sum is a multiple of 10 (of 5 for La Poste, SIREN 356000000)."""
    if not re.fullmatch(r"\d{14}", siret):
        return False
    total = 0
    for i, char in enumerate(reversed(siret)):
        digit = int(char) * (2 if i % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0 or (siret.startswith("356000000") and total % 5 == 0)
