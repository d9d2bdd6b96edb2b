"""Under APP_ENV=prod, a secret left at an example value, empty or short stops the process.

Every secret setting goes through the loaders of core/config.py; each refusal names the
setting and never prints the value.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from core.config import ConfigError, load_bolt, load_database, load_jwt, load_uber

STRONG = "Xk3v9QpL2mZr7TbW5nYd8HcJ4fGs6AeU1oPi0"
WEAK = {"example": "change-me", "empty": "", "short": "s3cr3t-9chars"}

# One setting each, with the other settings a prod process would also have.
SECRETS = {
    "DB_PASSWORD": (load_database, {"DB_HOST": "db.internal"}),
    "JWT_SECRET": (load_jwt, {}),
    "UBER_CLIENT_SECRET": (load_uber, {"UBER_CLIENT_ID": "uber-app"}),
    "BOLT_CLIENT_SECRET": (load_bolt, {"BOLT_CLIENT_ID": "bolt-app"}),
}


@pytest.mark.parametrize("kind", WEAK)
@pytest.mark.parametrize("name", SECRETS)
def test_prod_refuses_a_secret_left_at_an_example_value_empty_or_short(
    name: str, kind: str
) -> None:
    loader, others = SECRETS[name]
    env = {"APP_ENV": "prod", **others, name: WEAK[kind]}
    if kind == "empty" and name.endswith("CLIENT_SECRET"):
        # An empty provider secret disables that provider (documented): nothing to refuse.
        assert loader(env) is None
        return
    with pytest.raises(ConfigError, match=name) as refused:
        loader(env)
    assert not WEAK[kind] or WEAK[kind] not in str(refused.value)


@pytest.mark.parametrize("name", SECRETS)
def test_prod_accepts_a_strong_secret_and_dev_accepts_the_example(name: str) -> None:
    loader, others = SECRETS[name]
    assert loader({"APP_ENV": "prod", **others, name: STRONG}) is not None
    if name != "JWT_SECRET":  # dev with an empty JWT_SECRET reads the state folder instead
        assert loader({"APP_ENV": "dev", **others, name: "change-me"}) is not None


@pytest.mark.parametrize("name", ["DATABASE_URL", "WRITER_DATABASE_URL", "API_DATABASE_URL"])
def test_prod_refuses_a_database_url_whose_password_is_the_example(name: str) -> None:
    env = {"APP_ENV": "prod", "DATABASE_URL": f"postgresql://fleet_owner:{STRONG}@db/fleet"}
    env[name] = "postgresql://fleet_owner:change-me@db/fleet"
    with pytest.raises(ConfigError, match=name) as refused:
        load_database(env)
    assert "change-me" not in str(refused.value)


def test_the_simulators_public_credentials_stay_allowed_for_the_compose_demo() -> None:
    env = {
        "APP_ENV": "prod",
        "UBER_CLIENT_ID": "sim-uber-client",
        "UBER_CLIENT_SECRET": "sim-uber-secret",
        "UBER_SIMULATED": "1",
    }
    assert load_uber(env) is not None
    with pytest.raises(ConfigError, match="UBER_CLIENT_SECRET"):
        load_uber({**env, "UBER_SIMULATED": ""})


def test_a_prod_process_with_the_example_db_password_stops_at_once_naming_it() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DB_"))}
    env.update(
        APP_ENV="prod",
        DB_HOST="127.0.0.1",
        DB_PORT="9",  # nothing listens: the process must stop before it tries to connect
        DB_PASSWORD="change-me",
        JWT_SECRET=STRONG,
        NATS_URL="nats://127.0.0.1:9",
        FLEET_METRICS_PORT="0",
    )
    done = subprocess.run(
        [sys.executable, "-m", "fleet", "relay"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "DB_PASSWORD" in done.stderr and "change-me" not in done.stderr
