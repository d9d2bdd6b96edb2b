"""What a projection is: a name, the events it wants, and how it applies a batch."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import asyncpg

from contracts.envelope import EventEnvelope

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class Projection(Protocol):
    """A read model built from the log.

    ``apply`` runs inside the runner's transaction, which also moves the checkpoint: the
    read-table change and the checkpoint commit together, so a redelivered event is skipped.
    It runs in a savepoint: raising parks the events (see ``projector/parking.py``).
    """

    name: str
    event_types: frozenset[str]

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Apply ``events`` (already filtered to ``event_types``, upcast, in log order)."""
        ...


@runtime_checkable
class Rebuildable(Projection, Protocol):
    """A projection writing one table, which ``fleet replay`` can rebuild beside the live one.

    ``table`` names the read table (optionally ``schema.table``); ``retarget`` returns the
    same projection under another checkpoint name writing into another table of the same
    shape. Build SQL with :func:`quote_table` from ``table``, never a literal table name.
    """

    table: str

    def retarget(self, *, name: str, table: str) -> Rebuildable:
        """This projection as ``name``, writing into ``table``."""
        ...


def quote_table(table: str) -> str:
    """``table`` or ``schema.table`` as a quoted SQL identifier; refuses anything else.

    Table names are ours (code constants, replay suffixes), never user input; the check
    keeps it so.
    """
    parts = table.split(".")
    if len(parts) > 2 or not all(_IDENTIFIER.match(p) for p in parts):
        raise ValueError(f"not a table name: {table!r}")
    return ".".join(f'"{p}"' for p in parts)
