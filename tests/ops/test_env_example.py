""".env.example lists every environment variable the code reads.

The code reads its settings in a few shapes: ``env.get("X")``, ``env["X"]``,
``os.environ.get("X")``, ``os.getenv("X")`` and the typed helpers of core/config.py
(``env_int(env, "X", ...)``, ``_int``/``_float``/``_int_list``, ``secret(env, "X")``); the
simulator reads its ``SIM_*`` variables through the ``ENV_NAMES`` table. A variable counts
as listed when a line ``X=...`` or ``# X=...`` sets it (commented: the built-in default
applies).
"""

from __future__ import annotations

import re
from pathlib import Path

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
    return found


def variables_listed() -> set[str]:
    return set(_LISTED.findall((ROOT / ".env.example").read_text(encoding="utf-8")))


def test_the_scan_finds_the_settings_we_know_about() -> None:
    read = variables_read()
    assert {"DATABASE_URL", "NATS_URL", "JWT_SECRET", "FLEET_API_PORT", "SIM_SEED"} <= set(read)


def test_every_variable_the_code_reads_is_in_env_example() -> None:
    read = variables_read()
    missing = {
        name: sorted(files) for name, files in read.items() if name not in variables_listed()
    }
    assert not missing, f"add these to .env.example (read by): {missing}"
