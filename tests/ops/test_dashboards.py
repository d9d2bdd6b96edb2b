"""The dashboards and alert rules in deploy/ query only metrics that something exports.

A renamed metric does not break a dashboard loudly: the panel just goes empty. So every
PromQL expression of the Grafana dashboards and of the Prometheus rules is scanned for metric
names, and each must be one our Python code defines (a Counter, Gauge or Histogram name, with
the suffixes Prometheus derives from it) or one of the few exporter metrics listed below.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops.tools import require

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = ROOT / "deploy" / "grafana" / "dashboards"
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
SOURCES = ("contracts", "eventlog", "ingest", "projector", "query_api", "simulator", "fleet")

# Not ours: Prometheus's own `up`, and the postgres_exporter metrics the "API / database"
# board uses (names as in prometheus-community/postgres_exporter, collector/*.go).
EXTERNAL = {
    "up",
    "pg_up",
    "pg_settings_max_connections",
    "pg_stat_activity_count",
    "pg_stat_database_xact_commit",
    "pg_stat_database_xact_rollback",
    "pg_stat_database_blks_hit",
    "pg_stat_database_blks_read",
    "pg_stat_user_tables_table_size_bytes",
    "pg_stat_user_tables_index_size_bytes",
    "pg_stat_user_tables_n_live_tup",
}

_DEFINED = re.compile(r"\b(Counter|Gauge|Histogram|Summary)\(\s*\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"")
_SUFFIXES = {
    "Counter": ("_total", "_created"),
    "Gauge": ("",),
    "Histogram": ("_bucket", "_sum", "_count", "_created"),
    "Summary": ("", "_sum", "_count", "_created"),
}
# PromQL words that look like metric names: functions, operators, aggregation modifiers.
_KEYWORDS = {
    "sum", "min", "max", "avg", "count", "topk", "bottomk", "quantile", "stddev", "stdvar",
    "group", "count_values", "by", "without", "on", "ignoring", "group_left", "group_right",
    "and", "or", "unless", "bool", "offset", "rate", "irate", "increase", "delta", "idelta",
    "deriv", "histogram_quantile", "absent", "absent_over_time", "time", "vector", "scalar",
    "abs", "ceil", "floor", "round", "clamp_min", "clamp_max", "label_replace", "label_join",
    "avg_over_time", "max_over_time", "min_over_time", "sum_over_time", "count_over_time",
    "last_over_time", "changes", "resets", "timestamp", "sort", "sort_desc", "predict_linear",
    "inf", "nan",
}  # fmt: skip


def defined_metrics() -> set[str]:
    """Every sample name the Python code can expose."""
    names: set[str] = set()
    for package in SOURCES:
        for path in (ROOT / package).rglob("*.py"):
            for kind, name in _DEFINED.findall(path.read_text(encoding="utf-8")):
                base = name.removesuffix("_total") if kind == "Counter" else name
                names.update(base + suffix for suffix in _SUFFIXES[kind])
    return names


def dashboards() -> list[Path]:
    return sorted(DASHBOARDS.glob("*.json"))


def panels(board: dict) -> Iterator[dict]:  # type: ignore[type-arg]
    for panel in board.get("panels", []):
        yield panel
        yield from panel.get("panels", [])  # collapsed rows keep theirs inside


def dashboard_expressions() -> Iterator[tuple[str, str]]:
    for path in dashboards():
        for panel in panels(json.loads(path.read_text(encoding="utf-8"))):
            for target in panel.get("targets", []):
                yield f"{path.name}: {panel['title']}", target["expr"]


def rule_expressions() -> Iterator[tuple[str, str]]:
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed")
    for group in yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]:
        for rule in group["rules"]:
            yield f"alerts.yml: {rule.get('alert') or rule.get('record')}", rule["expr"]


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects (labels, strings and durations left out)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string literals
    expr = re.sub(r"\{[^}]*\}", "{}", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "[]", expr)  # range durations
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    words = re.findall(r"(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*(?![\w(])", expr)
    called = set(re.findall(r"\b([a-zA-Z_]\w*)\s*\(", expr))
    return {w for w in words if w not in _KEYWORDS and w not in called}


def test_the_scan_finds_our_metrics_and_reads_expressions_right() -> None:
    defined = defined_metrics()
    assert {
        "fleet_sync_runs_total",
        "fleet_http_request_duration_seconds_bucket",
        "fleet_projection_lag_events",
        "fleet_resource_last_success_timestamp_seconds",
    } <= defined
    assert metric_names(
        'histogram_quantile(0.95, sum by (le) (rate(a_bucket{route!~"/x|y"}[$__rate_interval])))'
        " / on (job) group_left b > 3 * max without (instance) (c) or 1e3"
    ) == {"a_bucket", "b", "c"}


@pytest.mark.parametrize("source", ["dashboards", "alerts"])
def test_every_expression_queries_metrics_that_are_exported(source: str) -> None:
    known = defined_metrics() | EXTERNAL
    expressions = list(dashboard_expressions() if source == "dashboards" else rule_expressions())
    assert expressions
    unknown = {(where, name) for where, expr in expressions for name in metric_names(expr) - known}
    assert not unknown, f"queried but exported by nothing: {sorted(unknown)}"


@pytest.mark.parametrize("path", dashboards(), ids=lambda p: p.name)
def test_each_dashboard_parses_with_unique_panel_ids_and_the_provisioned_datasource(
    path: Path,
) -> None:
    board = json.loads(path.read_text(encoding="utf-8"))
    ids = [panel["id"] for panel in panels(board)]
    assert len(ids) == len(set(ids)), f"duplicate panel ids in {path.name}"
    assert board["uid"] and board["title"]
    for panel in panels(board):
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "prometheus", panel["title"]
            assert panel["targets"], panel["title"]


def test_dashboard_uids_are_unique() -> None:
    uids = [json.loads(p.read_text(encoding="utf-8"))["uid"] for p in dashboards()]
    assert len(dashboards()) >= 2
    assert len(uids) == len(set(uids))


def test_dashboard_expressions_parse_as_promql(tmp_path: Path) -> None:
    """promtool parses each expression (as a recording rule) (promtool: required in CI)."""
    promtool = require("promtool")
    rules = [
        {"record": f"check:{i}", "expr": expr.replace("$__rate_interval", "5m")}
        for i, (_, expr) in enumerate(dashboard_expressions())
    ]
    path = tmp_path / "dashboards.rules.yml"
    path.write_text(json.dumps({"groups": [{"name": "dashboards", "rules": rules}]}))
    result = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_alert_rules_pass_their_unit_tests() -> None:
    """promtool test rules deploy/prometheus/alerts_test.yml (promtool: required in CI)."""
    promtool = require("promtool")
    result = subprocess.run(
        [promtool, "test", "rules", str(RULES.with_name("alerts_test.yml"))], capture_output=True
    )
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
