"""What a projection is: a name, the events it wants, and how it applies a batch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import asyncpg

from contracts.envelope import EventEnvelope


class Projection(Protocol):
    """A read model built from the log.

    ``apply`` runs inside the runner's transaction, which also moves the checkpoint: the
    read-table change and the checkpoint commit together, so a redelivered event is skipped.
    """

    name: str
    event_types: frozenset[str]

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Apply ``events`` (already filtered to ``event_types``, in log order)."""
        ...
