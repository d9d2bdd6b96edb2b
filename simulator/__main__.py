"""``python -m simulator [--host H] [--port P] [--seed S] [--drivers N]``.

Settings come from the ``SIM_*`` environment variables; the flags override them.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Sequence

from simulator.main import run
from simulator.settings import SimulatorSettings


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--seed", type=int, default=None, help="overrides SIM_SEED")
    parser.add_argument(
        "--drivers", type=int, default=None, help="drivers per provider (overrides SIM_*_DRIVERS)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Read settings, apply flag overrides and serve."""
    args = parse_args(argv)
    settings = SimulatorSettings.from_env(os.environ)
    if args.seed is not None:
        settings = dataclasses.replace(settings, seed=args.seed)
    if args.drivers is not None:
        settings = dataclasses.replace(
            settings, uber_drivers=args.drivers, bolt_drivers=args.drivers
        )
    run(settings, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
