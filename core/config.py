"""Typed settings read from the environment, validated once at process start.

Each process builds the settings it needs with one ``load_*`` call in its composition root
and passes them down; nothing reads ``os.environ`` elsewhere. A missing or weak secret in
production stops the process with a message that says which variable to fix.

Where no database or NATS is configured, the values come from the state folder that ``fleet up``
(or any ``fleet`` command) keeps, see :mod:`core.state`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from core.names import resolve_aliases

PROD_ENVS = frozenset({"prod", "production"})
MIN_JWT_SECRET_BYTES = 32
# In production a secret must be at least this long (bytes), not empty, and not one of the
# values the documentation shows (.env.example, docker-compose.yml, the simulator's fakes):
# an example is public, so it is no secret, and it usually means "not filled in yet".
MIN_SECRET_BYTES = {"JWT_SECRET": MIN_JWT_SECRET_BYTES, "FLEET_ADMIN_PASSWORD": 12}
MIN_SECRET_BYTES_DEFAULT = 16
EXAMPLE_SECRETS = frozenset(
    {"change-me", "changeme", "sim-uber-secret", "sim-bolt-secret", "secret", "password"}
)
GENERATE_HINT = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


class ConfigError(Exception):
    """A setting is missing or invalid; the message names the variable and the fix."""


@dataclass(frozen=True)
class DatabaseSettings:
    """Where each role of the system connects.

    ``owner_url`` applies migrations and runs admin commands; ``writer_url`` serves ingest,
    relay and projector; ``api_url`` serves the query API. When a dedicated URL is not given,
    the owner's login is used and the session switches to the role with ``role`` at connect.
    """

    owner_url: str
    writer_url: str
    api_url: str
    writer_role: str | None = None
    api_role: str | None = None


@dataclass(frozen=True)
class JwtSettings:
    secret: str
    issuer: str = "fleet-manager"
    audience: str = "fleet-manager-api"
    access_ttl_s: int = 900
    algorithm: str = "HS256"
    # With it, access tokens issued by Supabase Auth are accepted too (query_api/security.py).
    supabase_secret: str | None = None


@dataclass(frozen=True)
class UberSettings:
    client_id: str
    client_secret: str
    token_url: str
    api_base: str
    scopes: str
    simulated: bool
    default_org_id: str | None = None  # UBER_DEFAULT_ORG_ID: poll only this Uber org


@dataclass(frozen=True)
class BoltSettings:
    client_id: str
    client_secret: str
    token_url: str
    api_base: str
    company_ids: tuple[int, ...] | None  # BOLT_DEFAULT_FLEET_ID + BOLT_COMPANY_IDS, or all
    rate_rps: float = 1.0  # no published limit; clients pace ~1 req/s (docs/PROVIDERS.md §2.7)
    rate_burst: int = 5
    simulated: bool = False


def secret(env: Mapping[str, str], name: str, value: str | None = None) -> str:
    """The secret ``name`` (or ``value``, taken from it); in production an empty, example or
    short one stops the process. The message names the setting, never the value."""
    found = env.get(name, "") if value is None else value
    if not is_prod(env):
        return found
    minimum = MIN_SECRET_BYTES.get(name.split(" ")[0], MIN_SECRET_BYTES_DEFAULT)
    if found.strip().lower() in EXAMPLE_SECRETS:
        raise ConfigError(f"{name} is still the documentation's example value (APP_ENV=prod)")
    if len(found.encode()) < minimum:
        problem = "is empty" if not found else f"is shorter than {minimum} bytes"
        raise ConfigError(f"{name} {problem} (APP_ENV=prod); generate one: {GENERATE_HINT}")
    return found


def _url_password(env: Mapping[str, str], name: str) -> str | None:
    """The URL in ``name``, its password checked as a secret when it carries one."""
    url = env.get(name)
    if url and (password := urlsplit(url).password) is not None:
        secret(env, f"{name} (its password)", unquote(password))
    return url


def app_env(env: Mapping[str, str]) -> str:
    return env.get("APP_ENV", "dev").strip().lower() or "dev"


def is_prod(env: Mapping[str, str]) -> bool:
    return app_env(env) in PROD_ENVS


def state_dir(env: Mapping[str, str]) -> Path:
    """The git-ignored folder holding embedded data, generated secrets and runtime info."""
    return Path(env.get("FLEET_STATE_DIR") or Path.cwd() / ".state").resolve()


def database_configured(env: Mapping[str, str]) -> bool:
    return bool(env.get("DATABASE_URL") or env.get("DB_HOST"))


def nats_configured(env: Mapping[str, str]) -> bool:
    return bool(env.get("NATS_URL"))


def database_url_from_env(env: Mapping[str, str]) -> str:
    """``DATABASE_URL``, or a URL built from the ``DB_*`` variables (host, port, name...)."""
    if url := _url_password(env, "DATABASE_URL"):
        return url
    host = env.get("DB_HOST")
    if not host:
        raise ConfigError(
            "set DATABASE_URL or DB_HOST (with DB_PORT, DB_NAME, DB_USER, DB_PASSWORD)"
        )
    user = quote(env.get("DB_USER", "postgres"), safe="")
    password = secret(env, "DB_PASSWORD")
    auth = f"{user}:{quote(password, safe='')}" if password else user
    port = _int(env, "DB_PORT", 5432)
    return f"postgresql://{auth}@{host}:{port}/{env.get('DB_NAME', 'fleet')}"


def load_database(env: Mapping[str, str]) -> DatabaseSettings:
    """Database URLs from the environment, or from the embedded runtime when none is set."""
    if not database_configured(env):
        from core import state  # local: the state folder is read only without config

        return state.read_database_settings(state_dir(env))
    owner = database_url_from_env(env)
    writer = _url_password(env, "WRITER_DATABASE_URL")
    api = _url_password(env, "API_DATABASE_URL")
    return DatabaseSettings(
        owner_url=owner,
        writer_url=writer or owner,
        api_url=api or owner,
        writer_role=None if writer else "fleet_writer",
        api_role=None if api else "fleet_api",
    )


def load_nats_url(env: Mapping[str, str]) -> str:
    if url := env.get("NATS_URL"):
        return url
    from core import state

    return state.read_nats_url(state_dir(env))


def nats_stream_replicas(env: Mapping[str, str]) -> int:
    """``NATS_STREAM_REPLICAS``: every process that ensures a stream must give the same value,
    since ensuring *updates* an existing stream (a process left at 1 scales R3 back to R1)."""
    replicas = _int(env, "NATS_STREAM_REPLICAS", 1)
    if not 1 <= replicas <= 5:
        raise ConfigError(f"NATS_STREAM_REPLICAS must be between 1 and 5, got {replicas}")
    return replicas


SUPPORTED_JWT_ALGORITHMS = ("HS256",)


def load_jwt(env: Mapping[str, str]) -> JwtSettings:
    """JWT settings; in production a secret shorter than 32 bytes stops the process."""
    key = secret(env, "JWT_SECRET")
    algorithm = env.get("JWT_ALGORITHM", "HS256").strip() or "HS256"
    if algorithm not in SUPPORTED_JWT_ALGORITHMS:
        raise ConfigError(
            f"JWT_ALGORITHM={algorithm} is not supported: the API signs and verifies with "
            f"{', '.join(SUPPORTED_JWT_ALGORITHMS)} only (a shared secret, JWT_SECRET)"
        )
    if not key:
        from core import state

        key = state.dev_jwt_secret(state_dir(env))
    minutes = _int(env, "JWT_ACCESS_TOKEN_EXPIRE_MINUTES", 15)
    if minutes < 1:
        raise ConfigError("JWT_ACCESS_TOKEN_EXPIRE_MINUTES must be at least 1")
    return JwtSettings(
        secret=key,
        issuer=env.get("JWT_ISSUER", "fleet-manager"),
        audience=env.get("JWT_AUDIENCE", "fleet-manager-api"),
        access_ttl_s=minutes * 60,
        algorithm=algorithm,
        supabase_secret=env.get("SUPABASE_JWT_SECRET") or None,
    )


UBER_DEFAULT_SCOPES = (
    "vehicle_suppliers.organizations.read solutions.suppliers.drivers.status.read "
    "solutions.suppliers.metrics.read supplier.partner.payments solutions.suppliers.reports"
)


def uber_credentials_set(env: Mapping[str, str]) -> bool:
    return bool(env.get("UBER_CLIENT_ID") and env.get("UBER_CLIENT_SECRET"))


def load_uber(env: Mapping[str, str]) -> UberSettings | None:
    """Uber client settings, or None when Uber is not configured for this process."""
    if not uber_credentials_set(env):
        return None
    simulated = env.get("UBER_SIMULATED", "") == "1"
    return UberSettings(
        client_id=env["UBER_CLIENT_ID"],
        client_secret=_provider_secret(env, "UBER_CLIENT_SECRET", simulated),
        token_url=env.get("UBER_AUTH_URL") or "https://auth.uber.com/oauth/v2/token",
        api_base=(env.get("UBER_BASE_URL") or "https://api.uber.com").rstrip("/"),
        scopes=env.get("UBER_SCOPES", UBER_DEFAULT_SCOPES),
        simulated=simulated,
        default_org_id=env.get("UBER_DEFAULT_ORG_ID", "").strip() or None,
    )


BOLT_DEFAULT_API_BASE = "https://node.bolt.eu/fleet-integration-gateway"


def bolt_credentials_set(env: Mapping[str, str]) -> bool:
    return bool(env.get("BOLT_CLIENT_ID") and env.get("BOLT_CLIENT_SECRET"))


def load_bolt(env: Mapping[str, str]) -> BoltSettings | None:
    """Bolt client settings, or None when Bolt is not configured for this process."""
    if not bolt_credentials_set(env):
        return None
    simulated = env.get("BOLT_SIMULATED", "") == "1"
    return BoltSettings(
        client_id=env["BOLT_CLIENT_ID"],
        client_secret=_provider_secret(env, "BOLT_CLIENT_SECRET", simulated),
        token_url=env.get("BOLT_AUTH_URL") or "https://oidc.bolt.eu/token",
        api_base=(env.get("BOLT_BASE_URL") or BOLT_DEFAULT_API_BASE).rstrip("/"),
        company_ids=bolt_company_ids(env),
        rate_rps=_float(env, "BOLT_RATE_RPS", 1.0),
        rate_burst=_int(env, "BOLT_RATE_BURST", 5),
        simulated=simulated,
    )


def bolt_company_ids(env: Mapping[str, str]) -> tuple[int, ...] | None:
    """The Bolt companies to poll: ``BOLT_DEFAULT_FLEET_ID`` (the spec's), then any others
    of ``BOLT_COMPANY_IDS``; None (every company the credentials reach) when neither is set."""
    default = _int_list(env, "BOLT_DEFAULT_FLEET_ID") or ()
    if len(default) > 1:
        raise ConfigError("BOLT_DEFAULT_FLEET_ID is one company id (others: BOLT_COMPANY_IDS)")
    others = _int_list(env, "BOLT_COMPANY_IDS") or ()
    ids = tuple(dict.fromkeys(default + others))
    return ids or None


def _provider_secret(env: Mapping[str, str], name: str, simulated: bool) -> str:
    """A provider's client secret: the simulator's fakes are public by design, and fine."""
    return env[name] if simulated else secret(env, name)


# scheme://host[:port], as a browser writes an Origin header: no path, no trailing slash.
_ORIGIN = re.compile(r"https?://[^\s/*,]+")


def load_cors_origins(env: Mapping[str, str]) -> tuple[str, ...]:
    """The web origins whose pages may call the API with credentials (``FLEET_CORS_ORIGINS``,
    comma-separated); none when unset, and then the API sends no CORS header at all.

    Only exact origins: a ``*`` with credentials would let any site call with the user's
    token, and an origin with a path or a trailing slash never equals a browser's Origin.
    """
    raw = env.get("FLEET_CORS_ORIGINS", "")
    origins = tuple(part.strip() for part in raw.split(",") if part.strip())
    wrong = [o for o in origins if not _ORIGIN.fullmatch(o)]
    if wrong:
        raise ConfigError(
            f"FLEET_CORS_ORIGINS takes exact origins like https://app.example.com, got {wrong}"
        )
    return origins


def _int_list(env: Mapping[str, str], name: str) -> tuple[int, ...] | None:
    """A comma-separated list of integers, or None when unset or empty."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        return tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise ConfigError(f"{name} must be comma-separated integers, got {raw!r}") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {raw!r}")
    return value


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None


def env_int(env: Mapping[str, str], name: str, default: int) -> int:
    """An integer setting, failing with the variable's name when it is not one."""
    return _int(env, name, default)


def environ() -> Mapping[str, str]:
    """The process environment, read once by each composition root, with each deprecated
    name's value under its documented name (:mod:`core.names`)."""
    return resolve_aliases(os.environ)
