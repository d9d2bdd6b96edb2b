"""The people fold: driver observations and decisions applied in log order.

Everything here is a function of the log prefix: the people tables after position N are
what applying events 1..N one by one gives, so a replay rebuilds them exactly. That is why
automatic links are decided here, by the projection, and never by whoever appends: the
same observations in the same order always give the same links. Ids this fold invents (a
person created by an automatic link, a suggestion) are UUIDv5 of what caused them.

Rules (docs/PEOPLE.md):
- an unmapped identity sharing a phone or e-mail with identities of exactly one person
  joins that person; with unmapped identities only, they become a new person together;
- an identity that has a person never moves on its own: a match with another person's
  identity is a suggestion, however strong;
- a name (with or without the plate) only ever suggests;
- an identity a manager unlinked from a person is never linked to it again automatically
  (``people_vetoes``, kind 'unlinked'); a rejected pair is never suggested again ('rejected').
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from contracts.envelope import EventEnvelope
from projector.people.keys import DriverKeys
from projector.people.observed import ObservedIdentity, observed_identity
from projector.people.rules import Match, as_suggestion, compare
from projector.people.writes import History, Writes

AUTOMATIC_LINK = "people.automatic_link"
_NAMESPACE = UUID("5f0d6c9e-3c51-4c1e-9a55-2a8f3f7b6e10")  # of the ids this fold derives


def suggestion_id(org_id: UUID, one: str, other: str) -> UUID:
    """The id of the suggestion between two identities (either order gives the same)."""
    a, b = sorted((one, other))
    return uuid.uuid5(_NAMESPACE, f"suggestion:{org_id}:{a}:{b}")


def derived_person_id(org_id: UUID, position: int, identity: str) -> UUID:
    """The id of a person an automatic link creates (from the observation that made it)."""
    return uuid.uuid5(_NAMESPACE, f"person:{org_id}:{position}:{identity}")


@dataclass(frozen=True)
class Candidate:
    """Another identity sharing a key with the observed one, and what the keys say."""

    identity_id: str
    person_id: UUID | None
    match: Match


@dataclass
class Step:
    """One event being applied: where it is and how many history rows it wrote."""

    event: EventEnvelope
    seq: int = field(default=0)

    @property
    def org_id(self) -> UUID:
        return self.event.org_id

    @property
    def at(self) -> datetime:
        return self.event.observed_at

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq


class ObservationFold:
    """Applies one driver observation: update the identity, then link or suggest."""

    def __init__(self, writes: Writes, history: History) -> None:
        self.conn = writes.conn
        self.sql = writes.sql
        self.writes = writes
        self.history = history

    async def apply_run(self, events: Sequence[EventEnvelope]) -> None:
        """Apply consecutive observations: match those whose keys changed, in order, then
        write every identity's latest fields in one statement.

        Most observations change no key (a Bolt state, a vehicle id): matching reads only
        keys and owners, which those cannot change, so their rows are written once, at the
        end, instead of one lookup and one upsert each (a replay's hot path).
        """
        seen = [observed_identity(e) for e in events]
        known = await self._known_keys(events, seen)
        for event, identity in zip(events, seen, strict=True):
            key = (event.org_id, identity.identity_id)
            if known.get(key) != identity.keys:
                await self.apply(event, identity)
                known[key] = identity.keys
        self._write_latest(events, seen)

    async def _known_keys(
        self, events: Sequence[EventEnvelope], seen: Sequence[ObservedIdentity]
    ) -> dict[tuple[UUID, str], DriverKeys]:
        orgs = [e.org_id for e in events]
        await self.writes.before("known_keys")
        rows = await self.conn.fetch(self.sql["known_keys"], orgs, [s.identity_id for s in seen])
        return {(r["org_id"], r["identity_id"]): _keys_of(r) for r in rows}

    def _write_latest(
        self, events: Sequence[EventEnvelope], seen: Sequence[ObservedIdentity]
    ) -> None:
        latest = {(e.org_id, s.identity_id): (e, s) for e, s in zip(events, seen, strict=True)}
        rows = [_row(e, s) for e, s in latest.values()]
        self.writes.add("write_latest", _ROWS.encode(rows).decode())

    async def apply(self, event: EventEnvelope, seen: ObservedIdentity) -> None:
        """Upsert the identity; match it again only when one of its keys changed."""
        step = Step(event)
        k = seen.keys
        await self.writes.before("observe")
        row = await self.conn.fetchrow(
            self.sql["observe"], step.org_id, seen.identity_id, seen.provider, seen.driver_id,
            seen.account_id, seen.first_name, seen.last_name, seen.email, seen.phone,
            seen.plate, k.phone, k.email, k.name, k.plate, step.at, step.event.position,
        )  # fmt: skip
        if row["found"] and _keys_of(row) == k:
            return
        self._match(step, seen, row["person_id"], _candidates(k, row), _vetoes(row))

    def _match(
        self,
        step: Step,
        seen: ObservedIdentity,
        person: UUID | None,
        candidates: list[Candidate],
        vetoes: set[tuple[str, str]],
    ) -> None:
        if not candidates:
            return
        me = seen.identity_id
        usable = [c for c in candidates if (me, c.identity_id) not in vetoes]
        if person is None:
            person = self._adopt(step, seen, usable, vetoes)
        for c in usable:
            self._relate(step, me, person, c, vetoes)

    def _adopt(
        self,
        step: Step,
        seen: ObservedIdentity,
        usable: list[Candidate],
        vetoes: set[tuple[str, str]],
    ) -> UUID | None:
        """The person an unmapped identity joins, or a new one it founds (None: neither)."""
        strong = [c for c in usable if c.match.automatic]
        people = {c.person_id for c in strong if c.person_id is not None}
        people -= {p for p in people if (seen.identity_id, str(p)) in vetoes}
        if len(people) > 1:
            return None  # two people claim it: the managers choose, from the suggestions
        if people:
            person = people.pop()
        elif any(c.person_id is None for c in strong):
            person = derived_person_id(step.org_id, step.event.position, seen.identity_id)
            self.writes.add(
                "create_person", step.org_id, person, seen.display_name, step.at,
                step.event.position,
            )  # fmt: skip
        else:
            return None
        reasons = next(c.match.reasons for c in strong if c.person_id in (person, None))
        self._link(step, person, seen.identity_id, reasons)
        return person

    def _relate(
        self, step: Step, me: str, person: UUID | None, c: Candidate, vetoes: set[tuple[str, str]]
    ) -> None:
        """Link an unmapped candidate to ``me``'s person, or suggest the pair."""
        if person is not None and c.person_id == person:
            return
        joinable = c.person_id is None and person is not None and c.match.automatic
        if joinable and (c.identity_id, str(person)) not in vetoes:
            assert person is not None
            self._link(step, person, c.identity_id, c.match.reasons)
            return
        if joinable:
            return  # unlinked from this person by a manager: neither linked nor suggested
        self._suggest(step, me, c.identity_id, as_suggestion(c.match))

    def _link(self, step: Step, person: UUID, identity: str, reasons: Sequence[str]) -> None:
        link(self.writes, step, person, [identity], "automatic")
        self.history.add(step, AUTOMATIC_LINK, [person], [identity], reasons=list(reasons))

    def _suggest(self, step: Step, one: str, other: str, match: Match) -> None:
        a, b = sorted((one, other))
        self.writes.add(
            "suggest", step.org_id, suggestion_id(step.org_id, a, b), a, b,
            list(match.reasons), match.score, step.at, step.event.position,
        )  # fmt: skip


def link(writes: Writes, step: Step, person: UUID, identities: Sequence[str], by: str) -> None:
    """``identities`` become ``person``'s; suggestions they settle go."""
    if len(identities) == 1:  # an automatic link: one probe of the primary key (sql.py)
        writes.add("link_one", step.org_id, identities[0], person, by, step.at, step.event.position)
        return
    writes.add("link", step.org_id, list(identities), person, by, step.at, step.event.position)


class _LatestRow(ObservedIdentity, frozen=True):
    """An identity's observed columns, as ``write_latest`` reads them (names = columns;
    json_to_recordset ignores the other fields)."""

    org_id: UUID
    updated_at: datetime
    last_position: int


_ROWS = msgspec.json.Encoder()


def _row(event: EventEnvelope, s: ObservedIdentity) -> _LatestRow:
    return _LatestRow(
        **msgspec.structs.asdict(s),
        org_id=event.org_id,
        updated_at=event.observed_at,
        last_position=event.position,
    )


def _candidates(keys: DriverKeys, row: asyncpg.Record) -> list[Candidate]:
    """The identities sharing a key with ``keys`` (``observe``'s arrays), and what the keys
    say, in identity order."""
    columns = ("ids", "persons", "phones", "emails", "names", "plates")
    found = []
    for identity, person, *other in zip(*(row[c] or () for c in columns), strict=True):
        match = compare(keys, DriverKeys(*other))
        if match:
            found.append(Candidate(identity, person, match))
    return found


def _vetoes(row: asyncpg.Record) -> set[tuple[str, str]]:
    return set(zip(row["veto_identities"] or (), row["veto_targets"] or (), strict=True))


def _keys_of(row: asyncpg.Record) -> DriverKeys:
    return DriverKeys(row["phone_key"], row["email_key"], row["name_key"], row["plate_key"])
