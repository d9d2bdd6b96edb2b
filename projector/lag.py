"""How far behind the log each projection is, for the API, the metrics and the operators.

events behind = head position − checkpoint; seconds behind = now − ``recorded_at`` of the
oldest event after the checkpoint (0 when caught up). Computed by the SQL function
``projection_lag`` (migrations/0005_projector_ops.sql), which the API role may execute
without reading the log itself. Both clocks are the database's, so client skew never shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class ProjectionLag:
    """One projection's distance to the head of the log."""

    projection: str
    checkpoint: int
    head: int
    events_behind: int
    seconds_behind: float
    parked: int  # open parked events (every tenant)


async def projection_lag(
    conn: asyncpg.Connection | asyncpg.Pool, names: Sequence[str]
) -> list[ProjectionLag]:
    """The lag of each projection in ``names``, in that order (unknown names: position 0)."""
    rows = await conn.fetch("SELECT * FROM projection_lag($1::text[])", list(names))
    by_name = {
        row["projection"]: ProjectionLag(
            projection=row["projection"],
            checkpoint=int(row["checkpoint"]),
            head=int(row["head"]),
            events_behind=int(row["events_behind"]),
            seconds_behind=max(float(row["seconds_behind"]), 0.0),
            parked=int(row["parked"]),
        )
        for row in rows
    }
    return [by_name[name] for name in names]


async def all_projection_lag(conn: asyncpg.Connection | asyncpg.Pool) -> list[ProjectionLag]:
    """The lag of every projection the projector runs (``GET /admin/projections``)."""
    from projector.projections import all_projections

    return await projection_lag(conn, [p.name for p in all_projections()])
