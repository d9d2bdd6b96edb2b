"""people: one person across Uber and Bolt, from driver observations and decisions.

Five tables (``projector/people/sql.py``), rebuilt together by a replay. Unlike the
set-based projections, events are applied one at a time, in log order: whether an
observation links depends on every link and decision before it, inside the same batch too.
Each event is a handful of index lookups (matching keys are indexed), so a year of driver
changes and decisions replays in seconds. What the fold writes without reading the answer
waits and goes in runs (``projector/people/writes.py``): a replay's batch of decisions is a
few round trips, not one or more per decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import asyncpg

from contracts import people
from contracts.envelope import EventEnvelope
from projector.people.decisions import DecisionFold
from projector.people.fold import ObservationFold, Step
from projector.people.observed import DRIVER_EVENTS
from projector.people.sql import TABLES, people_sql
from projector.people.writes import History, Writes

PERSON_INDEX = "USING btree (org_id, person_id, identity_id)"  # people_identities_person


class PeopleProjection:
    """Driver observations and people decisions, folded into the people tables."""

    event_types = DRIVER_EVENTS | frozenset(people.DECISIONS)

    def __init__(self, name: str = "people", *, tables: Mapping[str, str] | None = None) -> None:
        self.name = name
        self._targets = dict(tables or {t: t for t in TABLES})
        self.tables = tuple(self._targets[t] for t in TABLES)  # people first: the unit's name
        self._sql = people_sql(self._targets)
        # Read while it writes (a linked person's identities, a merge's): a rebuild keeps it
        # on its shadow table, else each link scans every identity of the org.
        self.reads_indexes = {self._targets["people_identities"]: (PERSON_INDEX,)}

    def target(self, table: str) -> str:
        """Where this projection writes ``table`` (one of ``TABLES``)."""
        return self._targets[table]

    def retarget_tables(self, *, name: str, tables: Mapping[str, str]) -> PeopleProjection:
        """The same projection as ``name``, writing each of its tables ``t`` into
        ``tables[t]``."""
        return PeopleProjection(name, tables={t: tables[self._targets[t]] for t in TABLES})

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Apply the events in log order (a link depends on everything before it): each run
        of observations between two decisions together, each decision alone; the writes
        whose answers the fold does not read sent in runs (``Writes``)."""
        writes, history = Writes(conn, self._sql), History()
        observations = ObservationFold(writes, history)
        decisions = DecisionFold(writes, history)
        for run in _runs(events):
            if run[0].event_type in DRIVER_EVENTS:
                await observations.apply_run(run)
            else:
                await decisions.apply(Step(run[0]))
        await writes.flush()
        await history.write(conn, self._sql)


def _runs(events: Sequence[EventEnvelope]) -> list[list[EventEnvelope]]:
    """The events cut into runs of consecutive observations, and each decision on its own."""
    runs: list[list[EventEnvelope]] = []
    for event in events:
        observed = event.event_type in DRIVER_EVENTS
        if observed and runs and runs[-1][0].event_type in DRIVER_EVENTS:
            runs[-1].append(event)
        else:
            runs.append([event])
    return runs
