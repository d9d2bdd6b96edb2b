"""Settings and process entry point of the simulator."""

from __future__ import annotations

import pytest

from simulator import SimulatorSettings
from simulator.__main__ import parse_args


def test_defaults_match_the_reference():
    settings = SimulatorSettings()
    assert (settings.seed, settings.uber_drivers, settings.uber_orgs) == (42, 25, 1)
    assert settings.uber_token_ttl_s == 2592000
    assert settings.uber_default_page_size == 10
    assert (settings.uber_client_id, settings.uber_client_secret) == (
        "sim-uber-client",
        "sim-uber-secret",
    )


def test_from_env_reads_sim_variables():
    settings = SimulatorSettings.from_env(
        {
            "SIM_SEED": "7",
            "SIM_UBER_DRIVERS": " 40 ",
            "SIM_UBER_ORGS": "2",
            "SIM_UBER_CLIENT_ID": "id",
            "SIM_UBER_CLIENT_SECRET": "secret",
            "SIM_UBER_TOKEN_TTL_S": "3600",
            "UNRELATED": "x",
        }
    )
    assert settings == SimulatorSettings(
        seed=7,
        uber_drivers=40,
        uber_orgs=2,
        uber_client_id="id",
        uber_client_secret="secret",
        uber_token_ttl_s=3600,
    )


def test_from_env_with_nothing_set_gives_defaults():
    assert SimulatorSettings.from_env({}) == SimulatorSettings()


def test_from_env_names_the_variable_holding_a_bad_int():
    with pytest.raises(ValueError, match="SIM_UBER_DRIVERS"):
        SimulatorSettings.from_env({"SIM_UBER_DRIVERS": "many"})


def test_impossible_values_fail_fast():
    with pytest.raises(ValueError, match="uber_orgs"):
        SimulatorSettings(uber_orgs=0)


def test_command_line_flags_parse():
    args = parse_args(["--port", "9100", "--seed", "5", "--drivers", "12"])
    assert (args.host, args.port, args.seed, args.drivers) == ("127.0.0.1", 9100, 5, 12)


def test_bolt_defaults_and_env_names():
    assert SimulatorSettings().bolt_token_ttl_s == 600
    settings = SimulatorSettings.from_env(
        {
            "SIM_BOLT_CLIENT_ID": "b-id",
            "SIM_BOLT_CLIENT_SECRET": "b-secret",
            "SIM_BOLT_COMPANIES": "3",
            "SIM_BOLT_DRIVERS": "12",
            "SIM_UBER_HISTORY_DAYS": "10",
        }
    )
    assert (settings.bolt_client_id, settings.bolt_client_secret) == ("b-id", "b-secret")
    assert (settings.bolt_companies, settings.bolt_drivers) == (3, 12)
    assert settings.uber_history_days == 10
    assert (settings.bolt_history_days, settings.uber_drivers) == (35, 25)


def test_the_share_of_people_on_both_platforms_is_read_and_checked():
    assert SimulatorSettings().both_platforms_share == 0.4
    assert (
        SimulatorSettings.from_env({"SIM_BOTH_PLATFORMS_SHARE": " 0.25"}).both_platforms_share
        == 0.25
    )
    for bad in ("1.5", "-0.1", "nan", "forty"):
        with pytest.raises(ValueError, match=r"SIM_BOTH_PLATFORMS_SHARE|both_platforms_share"):
            SimulatorSettings.from_env({"SIM_BOTH_PLATFORMS_SHARE": bad})


def test_the_payments_window_and_report_language_are_read_and_checked():
    assert (SimulatorSettings().uber_payments_window, SimulatorSettings().uber_report_language) == (
        "asked", "en",
    )  # fmt: skip
    env = {"SIM_UBER_PAYMENTS_WINDOW": "pay_period", "SIM_UBER_REPORT_LANGUAGE": "fr"}
    settings = SimulatorSettings.from_env(env)
    assert (settings.uber_payments_window, settings.uber_report_language) == ("pay_period", "fr")
    for name, bad in (("SIM_UBER_PAYMENTS_WINDOW", "weekly"), ("SIM_UBER_REPORT_LANGUAGE", "de")):
        with pytest.raises(ValueError, match=r"uber_payments_window|uber_report_language"):
            SimulatorSettings.from_env({name: bad})
