"""Managers' decisions applied to the people tables, in log order.

The API validated each decision against these very tables, at the log's head, in the
transaction that appended it (query_api/people_writes.py), so a decision normally applies
as written. The checks below still make every decision's effect a function of the log
alone: an identity that belongs to someone else is left where it is, a person that no longer
exists is not resurrected. That keeps a replay equal to the live tables whatever the log
holds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

import asyncpg
import msgspec

from contracts import people as c
from projector.people.fold import Step, link
from projector.people.writes import History, Writes

_DECODERS = {name: msgspec.json.Decoder(record) for name, record in c.DECISIONS.items()}


class DecisionFold:
    """Applies one decision event and records it in ``people_history`` (``History``)."""

    def __init__(self, writes: Writes, history: History) -> None:
        self.conn = writes.conn
        self.sql = writes.sql
        self.writes = writes
        self.history = history
        self._apply: dict[type[c.Decided], Callable[[Step, c.Decided], Awaitable[None]]] = {
            c.PersonCreated: self._created,  # type: ignore[dict-item]
            c.IdentityLinked: self._linked,  # type: ignore[dict-item]
            c.IdentityUnlinked: self._unlinked,  # type: ignore[dict-item]
            c.PeopleMerged: self._merged,  # type: ignore[dict-item]
            c.PersonSplit: self._split,  # type: ignore[dict-item]
            c.PersonRenamed: self._renamed,  # type: ignore[dict-item]
            c.SuggestionRejected: self._rejected,  # type: ignore[dict-item]
        }

    async def apply(self, step: Step) -> None:
        """Apply ``step``'s decision: sent with the writes before it, or after them."""
        decision = _DECODERS[step.event.event_type].decode(step.event.record)
        if type(decision) not in _SENT_LATER:
            await self.writes.flush()  # it reads what they change: they go first
        await self._apply[type(decision)](step, decision)
        await self._history(step, decision)

    async def _exists(self, step: Step, person: UUID) -> bool:
        return bool(await self.conn.fetchval(self.sql["person_exists"], step.org_id, person))

    async def _create(
        self, step: Step, person: UUID, name: str, ids: Sequence[str]
    ) -> list[asyncpg.Record]:
        """Create ``person``; who owns ``ids`` (one statement)."""
        return list(await self.conn.fetch(
            self.sql["create_person_owners"], step.org_id, person, name, step.at,
            step.event.position, list(ids),
        ))  # fmt: skip

    async def _created(self, step: Step, d: c.PersonCreated) -> None:
        """The person, and the identities it names that exist and belong to nobody or to
        it already become its own (the manager's word lifts any earlier unlink of them
        from this person): ``created``, sent with the run it belongs to."""
        self.writes.add("created", *self._take(step, d.person_id, d.identity_ids), d.display_name)

    async def _linked(self, step: Step, d: c.IdentityLinked) -> None:
        """As ``_created`` takes its identities, if the person exists."""
        self.writes.add("linked", *self._take(step, d.person_id, [d.identity_id]))

    def _take(self, step: Step, person: UUID, ids: Sequence[str]) -> tuple[object, ...]:
        """The arguments of ``created`` and ``linked`` but the name."""
        org, at, position = step.org_id, step.at, step.event.position
        return (org, person, at, position, list(ids), str(person))

    async def _unlinked(self, step: Step, d: c.IdentityUnlinked) -> None:
        owners = await self.conn.fetch(self.sql["owners"], step.org_id, [d.identity_id])
        if not owners or owners[0]["person_id"] != d.person_id:
            return
        await self.conn.execute(self.sql["set_person"], step.org_id, [d.identity_id], None, None)
        await self._veto(step, d.identity_id, str(d.person_id), "unlinked")
        await self._touch(step, d.person_id)

    async def _merged(self, step: Step, d: c.PeopleMerged) -> None:
        if d.person_id == d.merged_person_id or not await self._exists(step, d.person_id):
            return
        org, kept, gone = step.org_id, d.person_id, d.merged_person_id
        await self.conn.execute(self.sql["move_identities"], org, gone, kept)
        await self.conn.execute(self.sql["move_vetoes"], org, str(gone), str(kept))
        await self.conn.execute(self.sql["drop_target_vetoes"], org, str(gone))
        await self.conn.execute(self.sql["delete_person"], org, gone)
        await self.conn.execute(self.sql["drop_settled"], org, kept)
        await self._touch(step, kept)

    async def _split(self, step: Step, d: c.PersonSplit) -> None:
        rows = await self._create(step, d.new_person_id, d.display_name, d.identity_ids)
        moving = [r["identity_id"] for r in rows if r["person_id"] == d.person_id]
        if moving:  # after the read, sent with what follows (no statement of its own here)
            link(self.writes, step, d.new_person_id, moving, "manager")
        self.writes.add("touch_person", step.org_id, d.person_id, step.at, step.event.position)

    async def _renamed(self, step: Step, d: c.PersonRenamed) -> None:
        self.writes.add(
            "rename_person", step.org_id, d.person_id, d.display_name, step.at,
            step.event.position,
        )  # fmt: skip

    async def _rejected(self, step: Step, d: c.SuggestionRejected) -> None:
        a, b = sorted((d.identity_id, d.other_identity_id))
        for identity, target in ((a, b), (b, a)):
            self.writes.add(
                "add_veto", step.org_id, identity, target, "rejected", step.event.position
            )
        self.writes.add("drop_suggestion", step.org_id, a, b)

    async def _veto(self, step: Step, identity: str, target: str, kind: str) -> None:
        await self.conn.execute(
            self.sql["add_veto"], step.org_id, identity, target, kind, step.event.position
        )

    async def _touch(self, step: Step, person: UUID) -> None:
        await self.conn.execute(
            self.sql["touch_person"], step.org_id, person, step.at, step.event.position
        )

    async def _history(self, step: Step, d: c.Decided) -> None:
        people, identities = _subjects(d)
        self.history.add(
            step, step.event.event_type, people, identities, user_id=d.user_id,
            user_email=d.user_email, reason=d.reason, request_id=d.request_id,
            idempotency_key=d.idempotency_key,
        )  # fmt: skip


# Decisions whose statements need no answer (``Writes``); the others read the tables.
_SENT_LATER = (c.PersonCreated, c.IdentityLinked, c.PersonRenamed, c.SuggestionRejected)


def _subjects(d: c.Decided) -> tuple[list[UUID], list[str]]:
    """The people and identities a decision is about (its history row's subjects)."""
    people = [
        getattr(d, name)
        for name in ("person_id", "merged_person_id", "new_person_id")
        if getattr(d, name, None) is not None
    ]
    identities = [
        *getattr(d, "identity_ids", []),
        *(getattr(d, name) for name in ("identity_id", "other_identity_id") if hasattr(d, name)),
    ]
    return people, identities
