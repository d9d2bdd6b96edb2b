"""The state folder's files: generated secrets and where the embedded servers listen.

``fleet up`` writes them (see :mod:`fleet.runtime`); every process that runs without a
configured database or NATS reads them through :mod:`core.config`.

State folder layout::

    .state/
      secrets.json        generated passwords, the development JWT secret and credentials
                          key (mode 0600)
      runtime.json        where the running nats-server listens (written by ``fleet up``)
      postgres/port       the port the embedded PostgreSQL last used
"""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path
from typing import Any

from core.config import ConfigError, DatabaseSettings

DB_NAME = "fleet"
OWNER_ROLE = "fleet_owner"
WRITER_ROLE = "fleet_writer"
API_ROLE = "fleet_api"


# -- secrets -------------------------------------------------------------------------------


def _secrets_path(state: Path) -> Path:
    return state / "secrets.json"


def load_secrets(state: Path) -> dict[str, str]:
    """Generated secrets of this state folder, created on first use and kept (mode 0600)."""
    path = _secrets_path(state)
    current: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    wanted = ("pg_superuser", "pg_owner", "pg_writer", "pg_api", "jwt_secret", "credentials_key")
    missing = [name for name in wanted if name not in current]
    if missing:
        for name in missing:
            current[name] = _generate(name)
        state.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(current, indent=2))
        tmp.chmod(0o600)
        tmp.replace(path)
    return current


def _generate(name: str) -> str:
    if name == "credentials_key":  # Fernet's format: 32 random bytes, url-safe base64, padded
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return secrets.token_urlsafe(48 if name == "jwt_secret" else 32)


def dev_credentials_key(state: Path) -> str:
    """The development key of stored provider credentials: generated once, kept here."""
    return load_secrets(state)["credentials_key"]


def dev_jwt_secret(state: Path) -> str:
    """The development JWT secret: generated once and kept in the state folder."""
    return load_secrets(state)["jwt_secret"]


# -- runtime info --------------------------------------------------------------------------


def write_runtime(state: Path, **values: Any) -> None:
    path = state / "runtime.json"
    current = json.loads(path.read_text()) if path.exists() else {}
    current.update(values)
    path.write_text(json.dumps(current, indent=2))


def read_runtime(state: Path) -> dict[str, Any]:
    path = state / "runtime.json"
    return json.loads(path.read_text()) if path.exists() else {}


def read_nats_url(state: Path) -> str:
    url = read_runtime(state).get("nats_url")
    if not url:
        raise ConfigError("NATS is not running: start `fleet up`, or set NATS_URL")
    return str(url)


def read_database_settings(state: Path) -> DatabaseSettings:
    """Connection URLs for the embedded PostgreSQL of this state folder."""
    port_file = state / "postgres" / "port"
    if not port_file.exists():
        raise ConfigError(
            "no database configured and no embedded PostgreSQL in "
            f"{state}: run `fleet up` (or set DATABASE_URL)"
        )
    port = int(port_file.read_text())
    found = load_secrets(state)
    return DatabaseSettings(
        owner_url=loopback_url(OWNER_ROLE, found["pg_owner"], port, DB_NAME),
        writer_url=loopback_url(WRITER_ROLE, found["pg_writer"], port, DB_NAME),
        api_url=loopback_url(API_ROLE, found["pg_api"], port, DB_NAME),
    )


def loopback_url(user: str, password: str, port: int, db: str) -> str:
    return f"postgresql://{user}:{password}@127.0.0.1:{port}/{db}"
