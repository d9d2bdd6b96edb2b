"""Settings by the original spec's names; old names as deprecated aliases; unknown refused."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from core.config import (
    BOLT_DEFAULT_API_BASE,
    ConfigError,
    load_bolt,
    load_jwt,
    load_uber,
)
from core.names import resolve_aliases
from fleet.environment import check_environment

HERE = Path(__file__).resolve().parent


def original_env() -> dict[str, str]:
    """tests/ops/original.env: the spec's settings file, secrets filled in."""
    lines = (HERE / "original.env").read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return {name: value for name, value in pairs}


def test_the_original_settings_file_starts_unchanged_apart_from_its_secrets() -> None:
    env = original_env()
    out = io.StringIO()
    check_environment(env, out)
    resolved = resolve_aliases(env)
    uber, bolt, jwt = load_uber(resolved), load_bolt(resolved), load_jwt(resolved)
    assert uber is not None and bolt is not None
    assert (uber.api_base, uber.token_url) == (
        "https://api.uber.com",
        "https://auth.uber.com/oauth/v2/token",
    )
    assert uber.default_org_id is None and bolt.company_ids is None
    # The spec's Bolt addresses are placeholders: Bolt's own apply, and start says so.
    assert (bolt.api_base, bolt.token_url) == (BOLT_DEFAULT_API_BASE, "https://oidc.bolt.eu/token")
    assert "BOLT_BASE_URL=https://api.bolt.com is the original spec's placeholder" in out.getvalue()
    assert "SUPABASE_URL is accepted but not used" in out.getvalue()
    assert (jwt.algorithm, jwt.access_ttl_s, jwt.supabase_secret) == ("HS256", 3600, None)


def test_a_misspelled_setting_is_refused_with_the_name_it_resembles() -> None:
    with pytest.raises(ConfigError, match="UBER_BASEURL: did you mean UBER_BASE_URL"):
        check_environment({"UBER_BASEURL": "https://sandbox-api.uber.com"})
    with pytest.raises(ConfigError, match=r"unknown setting FLEET_NOTHING_LIKE_IT$"):
        check_environment({"FLEET_NOTHING_LIKE_IT": "1"})
    check_environment({"PATH": "/bin", "HOME": "/root"})  # other prefixes are not ours


def test_fleet_refuses_to_start_on_an_unknown_setting() -> None:
    env = {"PATH": "/usr/bin:/bin", "BOLT_AUTH_ULR": "https://sandbox"}
    done = subprocess.run(
        [sys.executable, "-m", "fleet", "openapi", "--out", "/dev/null"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "BOLT_AUTH_ULR: did you mean BOLT_AUTH_URL?" in done.stderr


@pytest.mark.parametrize(
    ("old", "new", "value"),
    [
        ("UBER_API_BASE", "api_base", "https://sandbox-api.uber.com"),
        ("UBER_TOKEN_URL", "token_url", "https://sandbox-login.uber.com/oauth/v2/token"),
    ],
)
def test_an_old_uber_name_still_works_with_a_deprecation_warning(
    old: str, new: str, value: str
) -> None:
    env = {"UBER_CLIENT_ID": "id", "UBER_CLIENT_SECRET": "secret", old: value}
    out = io.StringIO()
    check_environment(env, out)
    uber = load_uber(resolve_aliases(env))
    assert uber is not None and getattr(uber, new) == value
    assert f"{old} is deprecated" in out.getvalue()


def test_the_documented_name_wins_over_its_old_alias() -> None:
    env = {"BOLT_CLIENT_ID": "i", "BOLT_CLIENT_SECRET": "s", "BOLT_API_BASE": "https://old",
           "BOLT_BASE_URL": "https://new"}  # fmt: skip
    out = io.StringIO()
    check_environment(env, out)
    bolt = load_bolt(resolve_aliases(env))
    assert bolt is not None and bolt.api_base == "https://new"
    assert "BOLT_API_BASE is deprecated: use BOLT_BASE_URL (ignored: BOLT_BASE_URL is set)" in (
        out.getvalue()
    )


def test_token_lifetime_is_set_in_minutes_and_the_old_seconds_round_up() -> None:
    assert (
        load_jwt({"JWT_SECRET": "x", "JWT_ACCESS_TOKEN_EXPIRE_MINUTES": "60"}).access_ttl_s == 3600
    )
    assert (
        load_jwt(resolve_aliases({"JWT_SECRET": "x", "JWT_ACCESS_TTL_S": "90"})).access_ttl_s == 120
    )
    assert load_jwt({"JWT_SECRET": "x"}).access_ttl_s == 900
    with pytest.raises(ConfigError, match="JWT_ACCESS_TOKEN_EXPIRE_MINUTES"):
        load_jwt({"JWT_SECRET": "x", "JWT_ACCESS_TOKEN_EXPIRE_MINUTES": "0"})


@pytest.mark.parametrize("algorithm", ["RS256", "none", "HS512"])
def test_a_jwt_algorithm_the_api_does_not_support_stops_the_process(algorithm: str) -> None:
    with pytest.raises(ConfigError, match=f"JWT_ALGORITHM={algorithm} is not supported"):
        load_jwt({"JWT_SECRET": "x", "JWT_ALGORITHM": algorithm})


def test_bolt_default_fleet_is_polled_first_and_the_list_adds_others() -> None:
    env = {"BOLT_CLIENT_ID": "i", "BOLT_CLIENT_SECRET": "s"}
    assert load_bolt(env | {"BOLT_DEFAULT_FLEET_ID": "42"}).company_ids == (42,)  # type: ignore[union-attr]
    both = load_bolt(env | {"BOLT_DEFAULT_FLEET_ID": "42", "BOLT_COMPANY_IDS": "7,42"})
    assert both is not None and both.company_ids == (42, 7)
    with pytest.raises(ConfigError, match="BOLT_DEFAULT_FLEET_ID"):
        load_bolt(env | {"BOLT_DEFAULT_FLEET_ID": "forty-two"})


def test_uber_default_org_is_read() -> None:
    env = {"UBER_CLIENT_ID": "i", "UBER_CLIENT_SECRET": "s", "UBER_DEFAULT_ORG_ID": " org-1 "}
    uber = load_uber(env)
    assert uber is not None and uber.default_org_id == "org-1"


def test_the_old_settlement_week_starts_name_still_sets_the_one_week_setting() -> None:
    rows = "2000-01-03 uber MON 05:00; 2000-01-03 bolt MON 00:00"
    out = io.StringIO()
    check_environment({"FLEET_SETTLEMENT_WEEK_STARTS": rows}, out)
    assert "FLEET_SETTLEMENT_WEEK_STARTS is deprecated: use FLEET_WEEK_STARTS" in out.getvalue()
    assert resolve_aliases({"FLEET_SETTLEMENT_WEEK_STARTS": rows})["FLEET_WEEK_STARTS"] == rows


@pytest.mark.parametrize("old", ["FLEET_UBER_WEEK_START", "FLEET_BOLT_WEEK_START"])
def test_a_one_platform_week_start_is_refused_naming_the_setting_that_replaced_it(old: str) -> None:
    with pytest.raises(ConfigError, match=f"{old} is no longer read: set FLEET_WEEK_STARTS"):
        check_environment({old: "MON 04:00"})
