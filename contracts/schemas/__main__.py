"""``python -m contracts.schemas [--write | --check]``: the committed JSON Schemas."""

from __future__ import annotations

import argparse
import sys

from contracts.schemas import drift, write

_HELP_DRIFT = (
    "A versioned contract must not change. For a compatible change (a new field with a "
    "default), regenerate with `python -m contracts.schemas --write`; otherwise register a new "
    "version with an upcaster (contracts/README.md)."
)


def main(argv: list[str] | None = None) -> int:
    """Write or check the schemas; exit 1 when ``--check`` finds a difference."""
    args = argparse.ArgumentParser(prog="python -m contracts.schemas")
    mode = args.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="regenerate contracts/schemas/*.json")
    mode.add_argument("--check", action="store_true", help="fail when a schema is out of date")
    opts = args.parse_args(argv)
    if opts.write:
        for name in write():
            print(f"wrote contracts/schemas/{name}")
        return 0
    problems = drift()
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        print(_HELP_DRIFT, file=sys.stderr)
        return 1
    print("contract schemas up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
