"""What a projection is: a name, the events it wants, and how it applies a batch."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from typing import Protocol, TypeVar, runtime_checkable

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


@runtime_checkable
class RebuildableTables(Projection, Protocol):
    """A projection writing several tables, which ``fleet replay`` rebuilds together.

    ``tables`` names them all (the first is the main one); ``retarget_tables`` returns the
    same projection under another checkpoint name, writing each table ``t`` into
    ``tables[t]``. A replay of any of them rebuilds, checks and swaps all of them in one
    transaction (e.g. ``bolt_orders`` and the ``bolt_daily_earnings`` summed from it).
    """

    tables: tuple[str, ...]

    def retarget_tables(self, *, name: str, tables: Mapping[str, str]) -> RebuildableTables:
        """This projection as ``name``, writing each of its tables ``t`` into ``tables[t]``."""
        ...


def tables_of(projection: Projection) -> tuple[str, ...]:
    """The tables a replay of ``projection`` rebuilds (none: it cannot be replayed)."""
    if isinstance(projection, RebuildableTables):
        return projection.tables
    if isinstance(projection, Rebuildable):
        return (projection.table,)
    return ()


def retargeted(projection: Projection, *, name: str, tables: Mapping[str, str]) -> Projection:
    """``projection`` as ``name``, writing each of its tables ``t`` into ``tables[t]``."""
    if isinstance(projection, RebuildableTables):
        return projection.retarget_tables(name=name, tables=tables)
    if isinstance(projection, Rebuildable):
        return projection.retarget(name=name, table=tables[projection.table])
    raise TypeError(f"projection {projection.name} cannot be rebuilt")


def indexes_read(projection: Projection) -> Mapping[str, Collection[str]]:
    """The indexes ``projection`` reads while it writes, by table (as ``USING btree (…)``).

    Optional (attribute ``reads_indexes``): a rebuild keeps them on its shadow tables during
    the load instead of building them after it (``projector.shadow.drop_secondary_indexes``).
    """
    found: Mapping[str, Collection[str]] = getattr(projection, "reads_indexes", {})
    return found


T = TypeVar("T")


def latest(items: Iterable[T], key: Callable[[T], Hashable]) -> list[T]:
    """The last item of each key (items in log order: the latest event of each row wins).

    One set-based upsert may not touch a row twice, and applying only the last event of a row
    leaves it as applying them all in order would, for a projection whose upsert replaces
    the row (a newer position wins). Batches hold only events after the checkpoint, so no
    event of a batch is older than a row it writes.
    """
    return list({key(item): item for item in items}.values())


def grouped(items: Iterable[T], key: Callable[[T], Hashable]) -> list[list[T]]:
    """The items of each key, in their order (a row's events, oldest first)."""
    groups: dict[Hashable, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return list(groups.values())


def quote_table(table: str) -> str:
    """``table`` or ``schema.table`` as a quoted SQL identifier; refuses anything else.

    Table names are ours (code constants, replay suffixes), never user input; the check
    keeps it so.
    """
    parts = table.split(".")
    if len(parts) > 2 or not all(_IDENTIFIER.match(p) for p in parts):
        raise ValueError(f"not a table name: {table!r}")
    return ".".join(f'"{p}"' for p in parts)
