"""Every ``fleet`` command checks its environment before it starts (see :mod:`core.names`)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TextIO

from core import names
from core.config import ConfigError


def known_settings() -> frozenset[str]:
    """Every setting some layer reads: the documented ones, the poll intervals of the declared
    resources (with their old names, which ingest warns about) and the simulator's."""
    from contracts.resources import DECLARED
    from simulator.settings import ENV_NAMES

    intervals = {r.interval_env for r in DECLARED}
    old = {r.deprecated_interval_env for r in DECLARED if r.deprecated_interval_env}
    return names.DOCUMENTED | intervals | old | set(ENV_NAMES.values())


def check_environment(env: Mapping[str, str], out: TextIO | None = None) -> None:
    """Refuse a variable with one of our prefixes that no setting has; say once what is
    deprecated, a placeholder or unused."""
    if problems := names.unknown(env, known_settings()):
        raise ConfigError("; ".join(problems))
    for notice in names.notices(env):
        print(f"[fleet] warning: {notice}", file=out or sys.stderr)
