"""`fleet up`'s monitoring settings: the exporter's database URL, and bad values refused."""

from __future__ import annotations

import json

import pytest

from core.config import ConfigError
from fleet import monitoring


def test_exporter_url_disables_tls_only_on_loopback_without_an_sslmode() -> None:
    local = "postgresql://owner:pw@127.0.0.1:5544/fleet"
    assert monitoring.exporter_dsn(local) == f"{local}?sslmode=disable"
    assert monitoring.exporter_dsn(f"{local}?connect_timeout=5").endswith(
        "?connect_timeout=5&sslmode=disable"
    )
    assert monitoring.exporter_dsn(f"{local}?sslmode=require") == f"{local}?sslmode=require"
    remote = "postgresql://owner:pw@db.example.net:5432/fleet"
    assert monitoring.exporter_dsn(remote) == remote


def test_unknown_prometheus_mode_and_zero_interval_are_refused() -> None:
    with pytest.raises(ConfigError, match="FLEET_PROMETHEUS must be one of"):
        monitoring.plan({"FLEET_PROMETHEUS": "sometimes"})
    if monitoring.plan({}) is not None:  # the interval is only read when Prometheus runs
        with pytest.raises(ConfigError, match="at least 1"):
            monitoring.plan({"FLEET_PROMETHEUS_SCRAPE_S": "0"})
    assert monitoring.plan({"FLEET_PROMETHEUS": "off"}) is None


def test_local_config_scrapes_every_process_under_the_compose_job_names() -> None:
    chosen = monitoring.MonitoringPlan("prometheus", 9090, 5, "exporter", 9187)
    scraped = monitoring.targets(8000, {"ingest": 9101, "relay": 9102}, 9187)
    config = json.loads(monitoring.prometheus_config(chosen, scraped))
    jobs = {
        job["job_name"]: job["static_configs"][0]["targets"][0] for job in config["scrape_configs"]
    }
    assert jobs == {
        "prometheus": "127.0.0.1:9090",
        "fleet-api": "127.0.0.1:8000",
        "fleet-ingest": "127.0.0.1:9101",
        "fleet-relay": "127.0.0.1:9102",
        "postgres": "127.0.0.1:9187",
    }
    assert config["rule_files"] == [str(monitoring.ALERT_RULES)]
    assert config["global"]["scrape_interval"] == "5s"
