"""Every ``fleet`` command checks its environment before it starts (see :mod:`core.names`)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TextIO

from core import names
from core.config import ConfigError


def known_settings() -> frozenset[str]:
    """Every setting some layer reads: the documented ones, the poll intervals of the declared
    resources and the simulator's."""
    from ingest.bolt.setup import INTERVALS as BOLT_INTERVALS
    from ingest.uber.setup import INTERVALS as UBER_INTERVALS
    from simulator.settings import ENV_NAMES

    intervals = {name for table in (UBER_INTERVALS, BOLT_INTERVALS) for name, _ in table.values()}
    return names.DOCUMENTED | intervals | set(ENV_NAMES.values())


def check_environment(env: Mapping[str, str], out: TextIO | None = None) -> None:
    """Refuse a variable with one of our prefixes that no setting has; say once what is
    deprecated, a placeholder or unused."""
    if problems := names.unknown(env, known_settings()):
        raise ConfigError("; ".join(problems))
    for notice in names.notices(env):
        print(f"[fleet] warning: {notice}", file=out or sys.stderr)
