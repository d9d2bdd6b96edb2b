""".env.example lists every environment variable the code reads.

The code reads its settings in a few shapes: ``env.get("X")``, ``env["X"]``,
``os.environ.get("X")``, ``os.getenv("X")`` and the typed helpers of core/config.py
(``env_int(env, "X", ...)``, ``_int``/``_float``/``_int_list``, ``secret(env, "X")``); the
simulator reads its ``SIM_*`` variables through the ``ENV_NAMES`` table, and ingest each
resource's interval through its declaration (``contracts/resources.py``), so those names
come from the tables themselves rather than from a scan. A variable counts as listed when a
line ``X=...`` or ``# X=...`` sets it (commented: the built-in default applies, and must be
the one shown).
"""

from __future__ import annotations

import re
from pathlib import Path

from contracts.resources import DECLARED, Declaration
from core.names import DEPRECATED, DOCUMENTED
from fleet.environment import known_settings
from simulator.settings import ENV_NAMES

ROOT = Path(__file__).resolve().parents[2]
SOURCES = (
    "core",
    "contracts",
    "eventlog",
    "ingest",
    "projector",
    "query_api",
    "fleet",
    "simulator",
)

_NAME = r"""["']([A-Z][A-Z0-9_]*)["']"""
_READS = (
    re.compile(rf"\b(?:env|environ|os\.environ)\s*(?:\.get\(|\[)\s*{_NAME}"),
    re.compile(rf"\bos\.getenv\(\s*{_NAME}"),
    re.compile(
        rf"\b(?:env_int|_int|_float|_int_list|_bool|_str|secret|_url_password|_provider_secret)"
        rf"\(\s*\w+\s*,\s*{_NAME}"
    ),
)
_LISTED = re.compile(r"^\s*#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def variables_read() -> dict[str, set[str]]:
    """Each variable the code reads, with the files that read it."""
    found: dict[str, set[str]] = {}
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for pattern in _READS:
                for name in pattern.findall(text):
                    found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    for name in ENV_NAMES.values():
        found.setdefault(name, set()).add("simulator/settings.py")
    for name in interval_settings(DECLARED):
        found.setdefault(name, set()).add("contracts/resources.py")
    return found


def interval_settings(declared: Declaration) -> dict[str, int]:
    """Each resource's interval setting, with its built-in default."""
    return {resource.interval_env: resource.interval_s for resource in declared}


def env_example() -> str:
    return (ROOT / ".env.example").read_text(encoding="utf-8")


def variables_listed() -> set[str]:
    return set(_LISTED.findall(env_example()))


def test_the_scan_finds_the_settings_we_know_about() -> None:
    read = variables_read()
    assert {"DATABASE_URL", "NATS_URL", "JWT_SECRET", "FLEET_API_PORT", "SIM_SEED"} <= set(read)


def test_every_variable_the_code_reads_is_in_env_example() -> None:
    read = variables_read()
    missing = {
        name: sorted(files) for name, files in read.items() if name not in variables_listed()
    }
    assert not missing, f"add these to .env.example (read by): {missing}"


def test_every_variable_the_code_reads_is_a_known_setting() -> None:
    """A setting read but not known would be refused at start as unknown (core/names.py)."""
    unknown = set(variables_read()) - known_settings()
    assert not unknown, f"add these to core/names.py DOCUMENTED: {sorted(unknown)}"


def test_env_example_lists_every_documented_setting_and_no_unknown_one() -> None:
    listed = variables_listed()
    assert DOCUMENTED - listed == set(), "document these in .env.example"
    old = {alias.old for alias in DEPRECATED}
    assert listed - known_settings() - old == set(), "unknown names in .env.example"


def test_every_resource_interval_is_listed_with_its_built_in_default() -> None:
    commented = dict(re.findall(r"^# ([A-Z][A-Z0-9_]*_INTERVAL_S)=(\d+)$", env_example(), re.M))
    wrong = {
        name: (commented.get(name), default)
        for name, default in interval_settings(DECLARED).items()
        if commented.get(name) != str(default)
    }
    assert not wrong, f".env.example shows (value, built-in default): {wrong}"
