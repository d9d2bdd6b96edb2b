"""The settings' names: which ones exist, which old names still work, and which are refused.

Each setting has one documented name, the original spec's where it has one (``UBER_BASE_URL``,
``JWT_ACCESS_TOKEN_EXPIRE_MINUTES``...). Names this product used before keep working as
deprecated aliases: :func:`resolve_aliases` copies them to the documented name, and
:func:`check_environment` says so once at start. A variable with one of our prefixes that
nobody reads is refused with a "did you mean": a misspelled sandbox URL must never fall back
to production without a word.

The names here are the ones read through :mod:`core.config` and the other layers' loaders;
the poll interval settings come from the resource declarations (``contracts.resources``) and
the simulator's from its own table, which the CLI adds when it checks (``fleet/cli.py``).
``tests/ops/test_env_example.py`` keeps this list, the code's reads and ``.env.example`` equal.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

PREFIXES = ("UBER_", "BOLT_", "JWT_", "DB_", "FLEET_", "SIM_", "SUPABASE_")

DOCUMENTED = frozenset(
    {
        "APP_ENV",
        # database
        "DATABASE_URL", "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD",
        "WRITER_DATABASE_URL", "API_DATABASE_URL",
        # message bus
        "NATS_URL", "NATS_STREAM_REPLICAS",
        # API tokens and logins
        "JWT_SECRET", "JWT_ALGORITHM", "JWT_ACCESS_TOKEN_EXPIRE_MINUTES", "JWT_ISSUER",
        "JWT_AUDIENCE", "JWT_REFRESH_TTL_S", "LOGIN_MAX_FAILURES", "LOGIN_WINDOW_S",
        # Supabase (the original implementation's auth and database)
        "SUPABASE_URL", "SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_JWT_SECRET",
        # Uber
        "UBER_CLIENT_ID", "UBER_CLIENT_SECRET", "UBER_BASE_URL", "UBER_AUTH_URL",
        "UBER_DEFAULT_ORG_ID", "UBER_SCOPES", "UBER_SIMULATED", "UBER_METRICS_DAYS",
        "UBER_METRICS_BACKFILL_DAYS", "UBER_REPORTS_CATCH_UP_DAYS", "UBER_WEBHOOK_SECRET",
        # Bolt
        "BOLT_CLIENT_ID", "BOLT_CLIENT_SECRET", "BOLT_BASE_URL", "BOLT_AUTH_URL",
        "BOLT_DEFAULT_FLEET_ID", "BOLT_COMPANY_IDS", "BOLT_RATE_RPS", "BOLT_RATE_BURST",
        "BOLT_SIMULATED",
        # processes, `fleet up` and the compose stack
        "FLEET_API_HOST", "FLEET_API_PORT", "FLEET_API_WORKERS", "FLEET_API_KEEP_ALIVE_S",
        "FLEET_CORS_ORIGINS",
        "PROMETHEUS_MULTIPROC_DIR", "FLEET_FRONTEND_DIR", "FLEET_METRICS_HOST",
        "FLEET_METRICS_PORT", "FLEET_MIGRATIONS_DIR", "FLEET_STATE_DIR", "FLEET_ORG_SLUG",
        "FLEET_ORG_NAME", "FLEET_ADMIN_EMAIL", "FLEET_ADMIN_PASSWORD", "FLEET_PROMETHEUS",
        "FLEET_PROMETHEUS_PORT", "FLEET_PROMETHEUS_SCRAPE_S", "FLEET_IMAGE_TAG",
        "FLEET_APP_DOMAIN", "FLEET_API_DOMAIN", "COMPOSE_PROJECT_NAME", "GRAFANA_ADMIN_USER",
        "GRAFANA_ADMIN_PASSWORD", "ACME_EMAIL",
        # the providers' weeks, each start from the Monday it takes effect (quality, settlements
        # and Uber's pay week alike), and when their figures settle (docs/QUALITY.md)
        "FLEET_WEEK_STARTS", "FLEET_SETTLING_DELAY_H", "FLEET_MINIMUM_FARE_RULES",
        # settlements: the default pay scheme, VAT on the fleet's fees, the money weeks
        "FLEET_SETTLEMENT_DEFAULT_SCHEME", "FLEET_SETTLEMENT_VAT_PCT",
        "FLEET_SETTLEMENT_BOLT_NET_INCLUDES", "FLEET_SETTLEMENT_WARM_WEEKS",
        "FLEET_SETTLEMENT_UBER_CATEGORIES", "FLEET_COMPANY_NAME", "FLEET_SIRET",
        # tenants: the key of the stored provider credentials
        "FLEET_CREDENTIALS_KEY",
    }
)  # fmt: skip

# Read by nothing here, accepted so that the original's settings file starts unchanged: this
# product has its own database and auth (docs/MIGRATING.md). SUPABASE_JWT_SECRET is used.
UNUSED = frozenset({"SUPABASE_URL", "SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY"})


def _minutes(seconds: str) -> str:
    """A lifetime in seconds as whole minutes, rounded up (never shorter than asked)."""
    try:
        return str(max(1, -(-int(seconds) // 60)))
    except ValueError:
        return seconds  # left for the loader to refuse, with the documented name


@dataclass(frozen=True)
class Alias:
    """An old name of a documented setting, and how its value converts."""

    old: str
    new: str
    convert: Callable[[str], str] = str


DEPRECATED = (
    Alias("UBER_API_BASE", "UBER_BASE_URL"),
    Alias("UBER_TOKEN_URL", "UBER_AUTH_URL"),
    Alias("BOLT_API_BASE", "BOLT_BASE_URL"),
    Alias("BOLT_TOKEN_URL", "BOLT_AUTH_URL"),
    Alias("JWT_ACCESS_TTL_S", "JWT_ACCESS_TOKEN_EXPIRE_MINUTES", _minutes),
    Alias("FLEET_SETTLEMENT_WEEK_STARTS", "FLEET_WEEK_STARTS"),  # the same rows, now for all
)

# Old names no alias can carry: one platform's start each, without a date, where the new
# setting is every platform's rows together. Refused, naming the setting that replaced them
# (a silent fallback to the default would put every figure in the wrong week).
REPLACED = {
    "FLEET_UBER_WEEK_START": (
        "FLEET_WEEK_STARTS",
        "rows '<Monday> <uber|bolt> MON HH:MM' separated by ';', e.g. "
        "'2000-01-03 uber MON 04:00; 2000-01-03 bolt MON 00:00' (docs/QUALITY.md)",
    ),
}
REPLACED["FLEET_BOLT_WEEK_START"] = REPLACED["FLEET_UBER_WEEK_START"]

# The original spec's example values for Bolt are placeholders, not Bolt's addresses; a
# settings file copied from it must reach the real API, so they count as unset.
SPEC_PLACEHOLDERS = {
    "BOLT_BASE_URL": "https://api.bolt.com",
    "BOLT_AUTH_URL": "https://auth.bolt.com/oauth/token",
}


def resolve_aliases(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with each deprecated name's value under its documented name (which wins)."""
    resolved = dict(env)
    for alias in DEPRECATED:
        if alias.old in env and not env.get(alias.new):
            resolved[alias.new] = alias.convert(env[alias.old])
    for name, placeholder in SPEC_PLACEHOLDERS.items():
        if resolved.get(name, "").rstrip("/") == placeholder:
            del resolved[name]
    return resolved


def notices(env: Mapping[str, str]) -> list[str]:
    """What a process says at start about deprecated, placeholder and unused settings."""
    said = [
        f"{a.old} is deprecated: use {a.new}"
        + (f" (ignored: {a.new} is set)" if env.get(a.new) else "")
        for a in DEPRECATED
        if a.old in env
    ]
    said += [
        f"{name}={env[name]} is the original spec's placeholder, not Bolt's address: "
        "the built-in default applies"
        for name, placeholder in SPEC_PLACEHOLDERS.items()
        if env.get(name, "").rstrip("/") == placeholder
    ]
    said += [f"{name} is accepted but not used (see docs/MIGRATING.md)" for name in UNUSED
             if env.get(name)]  # fmt: skip
    return sorted(said)


def unknown(env: Iterable[str], known: Collection[str]) -> list[str]:
    """One message per variable with one of our prefixes that no setting has."""
    everything = set(known) | {a.old for a in DEPRECATED}
    return [
        _replaced(name) if name in REPLACED else _did_you_mean(name, everything)
        for name in sorted(env)
        if name.startswith(PREFIXES) and name not in everything
    ]


def _replaced(name: str) -> str:
    new, how = REPLACED[name]
    return f"{name} is no longer read: set {new} instead, {how}"


def _did_you_mean(name: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    return f"unknown setting {name}" + (f": did you mean {close[0]}?" if close else "")
