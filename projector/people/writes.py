"""The people fold's statements whose results it never reads, sent together.

Most of what the fold sends is a write whose answer it does not look at: a suggestion, an
automatic link, a manager's new person, a rename, a veto. ``Writes`` keeps those in log
order and sends them only when the fold is about to read what they change, each run of the
same statement as one ``executemany`` (one round trip for the run: asyncpg pipelines its
executions, and the server still runs them one after the other, each seeing the ones before
it, in the batch's transaction). So a replay's run of 1,500 onboarded people is one round
trip instead of 1,500.

Why the tables are the same as when each statement went at once: the buffered statements
run in the order the fold gave them, and a statement the fold sends past them (a read whose
answer it needs: ``observe``, ``known_keys``, ``owners``) touches none of their tables
(``TOUCHES``), else ``before`` sends them first. Two statements on disjoint tables give the
same result and leave the same rows in either order (the shadow tables of a replay have no
trigger; the live ones' statement triggers only count statements per person, in
settlement_draft_versions, and counting commutes). ``people_history`` is read by no
statement of the fold: ``History`` writes its rows when the batch ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

import asyncpg

from projector.people.sql import PeopleSql

if TYPE_CHECKING:
    from projector.people.fold import Step

# The tables each statement reads or writes (names of ``TABLES``): the buffered ones, and
# those the fold reads past them.
TOUCHES: dict[str, frozenset[str]] = {
    "suggest": frozenset({"people_suggestions"}),
    "create_person": frozenset({"people"}),
    "link": frozenset({"people_identities", "people", "people_suggestions"}),
    "link_one": frozenset({"people_identities", "people", "people_suggestions"}),
    "created": frozenset({"people", "people_identities", "people_vetoes", "people_suggestions"}),
    "linked": frozenset({"people", "people_identities", "people_vetoes", "people_suggestions"}),
    "rename_person": frozenset({"people"}),
    "touch_person": frozenset({"people"}),
    "add_veto": frozenset({"people_vetoes"}),
    "drop_suggestion": frozenset({"people_suggestions"}),
    "write_latest": frozenset({"people_identities"}),
    "observe": frozenset({"people_identities", "people_vetoes"}),
    "known_keys": frozenset({"people_identities"}),
}


class Writes:
    """Statements without an answer the fold reads, in log order, sent in runs."""

    def __init__(self, conn: asyncpg.Connection, sql: PeopleSql) -> None:
        self.conn = conn
        self.sql = sql
        self._pending: list[tuple[str, tuple[Any, ...]]] = []
        self._touched: set[str] = set()

    def add(self, name: str, *args: Any) -> None:
        """Send statement ``name`` with ``args`` later, after those added before it."""
        self._pending.append((name, args))
        self._touched |= TOUCHES[name]

    async def before(self, name: str) -> None:
        """Send what statement ``name`` (about to be sent now) could see or change."""
        if self._touched & TOUCHES[name]:
            await self.flush()

    async def flush(self) -> None:
        """Send every pending statement, each run of the same one as one ``executemany``."""
        pending, self._pending, self._touched = self._pending, [], set()
        for name, args in _runs(pending):
            await self.conn.executemany(self.sql[name], args)


def _runs(pending: Sequence[tuple[str, tuple[Any, ...]]]) -> list[tuple[str, list[Any]]]:
    """``pending`` cut into runs of the same statement, in order."""
    runs: list[tuple[str, list[Any]]] = []
    for name, args in pending:
        if runs and runs[-1][0] == name:
            runs[-1][1].append(args)
        else:
            runs.append((name, [args]))
    return runs


class History:
    """The ``people_history`` rows of a batch, written together when it ends.

    The fold never reads that table, so writing its rows at the end of the batch, in the
    batch's transaction, leaves what writing each one as its event applied leaves, in one
    round trip (``executemany``) instead of one per row.
    """

    def __init__(self) -> None:
        self.rows: list[tuple[object, ...]] = []

    def add(
        self, step: Step, kind: str, people: list[UUID], identities: list[str], **extra: Any
    ) -> None:
        """A row for ``step`` (its next seq); ``extra``: reasons and who decided, why."""
        self.rows.append((
            step.org_id, step.event.position, step.next_seq(), kind, people, identities,
            extra.get("reasons", []), extra.get("user_id"), extra.get("user_email"),
            extra.get("reason"), extra.get("request_id"), extra.get("idempotency_key"),
            step.at,
        ))  # fmt: skip

    async def write(self, conn: asyncpg.Connection, sql: PeopleSql) -> None:
        """Insert the rows (one round trip), and forget them."""
        if self.rows:
            await conn.executemany(sql["history"], self.rows)
        self.rows = []
