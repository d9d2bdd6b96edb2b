"""Prometheus (and postgres_exporter) beside ``fleet up``, when they are installed.

No wheel carries Prometheus, so ``fleet up`` runs it only when a ``prometheus`` binary is on
PATH (Debian: ``apt-get install prometheus prometheus-postgres-exporter``). It then scrapes
every process of the stack under the job names and labels of the compose deployment
(``deploy/prometheus/prometheus.yml``), and evaluates the same alert rules, so the Grafana
dashboards' queries and the alerts work unchanged against it.

``FLEET_PROMETHEUS``: ``auto`` (the default: run it when found) or ``off``.
``FLEET_PROMETHEUS_PORT``: the first port tried (9090). ``FLEET_PROMETHEUS_SCRAPE_S``: the
scrape and rule evaluation interval (5 s: a laptop wants to see data quickly).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from core.config import ConfigError, env_int
from fleet.runtime import free_port

ROOT = Path(__file__).resolve().parents[1]
ALERT_RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
LEGACY_EXPORTER_QUERIES = ROOT / "deploy" / "prometheus" / "postgres-exporter-legacy.yml"
EXPORTER_NAMES = ("prometheus-postgres-exporter", "postgres_exporter")
MODES = frozenset({"auto", "off"})
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Target:
    """One scrape target: the compose job name, its ``process`` label and its address."""

    job: str
    process: str
    port: int


@dataclass(frozen=True)
class MonitoringPlan:
    """What to run: the binaries found and the ports chosen."""

    prometheus: str
    prometheus_port: int
    scrape_s: int
    exporter: str | None
    exporter_port: int | None


def plan(env: Mapping[str, str]) -> MonitoringPlan | None:
    """The monitoring to run beside ``fleet up``, or None (off, or Prometheus not installed)."""
    mode = env.get("FLEET_PROMETHEUS", "auto").strip().lower() or "auto"
    if mode not in MODES:
        raise ConfigError(f"FLEET_PROMETHEUS must be one of {sorted(MODES)}, not {mode!r}")
    binary = shutil.which("prometheus")
    if mode == "off" or binary is None:
        return None
    scrape_s = env_int(env, "FLEET_PROMETHEUS_SCRAPE_S", 5)
    if scrape_s < 1:
        raise ConfigError("FLEET_PROMETHEUS_SCRAPE_S must be at least 1")
    exporter = next(filter(None, map(shutil.which, EXPORTER_NAMES)), None)
    return MonitoringPlan(
        prometheus=binary,
        prometheus_port=free_port(env_int(env, "FLEET_PROMETHEUS_PORT", 9090)),
        scrape_s=scrape_s,
        exporter=exporter,
        exporter_port=free_port(9187) if exporter else None,
    )


def targets(api_port: int, workers: Mapping[str, int], exporter_port: int | None) -> list[Target]:
    """Every process ``fleet up`` runs, named as in the compose deployment."""
    found = [Target("fleet-api", "api", api_port)]
    found += [Target(f"fleet-{name}", name, port) for name, port in workers.items()]
    if exporter_port is not None:
        found.append(Target("postgres", "postgres", exporter_port))
    return found


def prometheus_config(monitoring: MonitoringPlan, scraped: list[Target]) -> str:
    """prometheus.yml for the local stack (JSON, which is YAML)."""
    jobs = [{"job_name": "prometheus", "static_configs": [_static(monitoring.prometheus_port)]}]
    jobs += [
        {"job_name": t.job, "static_configs": [_static(t.port, process=t.process)]} for t in scraped
    ]
    interval = f"{monitoring.scrape_s}s"
    config: dict[str, object] = {
        "global": {
            "scrape_interval": interval,
            "evaluation_interval": interval,
            "external_labels": {"stack": "fleet-up"},
        },
        "scrape_configs": jobs,
    }
    if ALERT_RULES.is_file():
        config["rule_files"] = [str(ALERT_RULES)]
    return json.dumps(config, indent=2) + "\n"


def _static(port: int, **labels: str) -> dict[str, object]:
    entry: dict[str, object] = {"targets": [f"127.0.0.1:{port}"]}
    if labels:
        entry["labels"] = labels
    return entry


def prometheus_argv(monitoring: MonitoringPlan, folder: Path) -> list[str]:
    """The Prometheus command line; its data stays in ``folder`` across restarts."""
    return [
        monitoring.prometheus,
        f"--config.file={folder / 'prometheus.yml'}",
        f"--storage.tsdb.path={folder / 'data'}",
        "--storage.tsdb.retention.time=15d",
        f"--web.listen-address=127.0.0.1:{monitoring.prometheus_port}",
        "--log.level=warn",
    ]


def exporter_argv(monitoring: MonitoringPlan) -> list[str]:
    """postgres_exporter's command line (the database URL goes in its environment).

    An exporter older than v0.13 (Debian 12 ships 0.11) has no ``stat_user_tables``
    collector, and its ``bgwriter`` collector fails on PostgreSQL 17+ (the checkpoint
    columns moved to ``pg_stat_checkpointer``): it gets the missing table metrics from
    ``postgres-exporter-legacy.yml`` and runs without ``bgwriter``.
    """
    assert monitoring.exporter is not None and monitoring.exporter_port is not None
    argv = [
        monitoring.exporter,
        f"--web.listen-address=127.0.0.1:{monitoring.exporter_port}",
        "--log.level=warn",
    ]
    if not _has_flag(monitoring.exporter, "--collector.stat_user_tables"):
        argv += ["--no-collector.bgwriter", f"--extend.query-path={LEGACY_EXPORTER_QUERIES}"]
    return argv


def _has_flag(binary: str, flag: str) -> bool:
    """Whether ``binary --help`` lists ``flag`` (kingpin prints help on stderr)."""
    shown = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=10)
    return flag in shown.stdout + shown.stderr


def exporter_dsn(url: str) -> str:
    """The database URL for postgres_exporter (lib/pq), which requires TLS unless told.

    The embedded server, and any server on loopback, speaks plain TCP: ``sslmode=disable``
    is added there when the URL names no ``sslmode`` (a remote server keeps pq's default).
    """
    parts = urlsplit(url)
    if "sslmode=" in parts.query or parts.hostname not in LOOPBACK:
        return url
    query = f"{parts.query}&sslmode=disable" if parts.query else "sslmode=disable"
    return urlunsplit(parts._replace(query=query))


def write_config(monitoring: MonitoringPlan, scraped: list[Target], state: Path) -> Path:
    """Write ``.state/prometheus/prometheus.yml``; return the folder."""
    folder = state / "prometheus"
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "prometheus.yml").write_text(prometheus_config(monitoring, scraped))
    return folder
