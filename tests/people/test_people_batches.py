"""The people fold gives the same tables whether its events come one at a time (the live
runner, an event per batch) or in batches of any size (a replay), and the same as the fold
did with one statement per step (before ``observe`` and ``link`` joined them): random
drivers sharing phones, e-mails and names, observed again with changed keys, between random
decisions."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from contracts import people
from contracts.envelope import EventEnvelope
from eventlog.store import Observation, head_position, read_after
from projector.people.sql import TABLES, people_sql
from projector.projection import quote_table
from projector.projections.people import PeopleProjection
from tests.people.support import (
    MANAGER,
    bolt_driver,
    decide,
    observe,
    own_people_tables,
    uber_driver,
)

WHO = {"user_id": MANAGER, "user_email": "manager@example.test"}
_PHONES = ["612345601", "612345602", "612345603", None]
_EMAILS = ["a@x.fr", "b@x.fr", None, None]
_NAMES = [("Anne", "Roy"), ("Roy", "Anne"), ("Omar", "Diallo"), ("Li", "Wei")]
_PLATES = ["AB-123-CD", "EF-456-GH", None]


# The statements ``observe`` stands for, and the veto a manager's link lifts, as the fold
# ran them one by one.
_CHAINED = {
    "get_identity": "SELECT person_id, phone_key, email_key, name_key, plate_key "
    "FROM {people_identities} WHERE org_id = $1 AND identity_id = $2",
    "upsert_identity": """
INSERT INTO {people_identities} AS i (org_id, identity_id, provider, driver_id, account_id,
    first_name, last_name, email, phone, plate, phone_key, email_key, name_key, plate_key,
    first_seen_at, updated_at, last_position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16)
ON CONFLICT (org_id, identity_id) DO UPDATE SET
    account_id = excluded.account_id, first_name = excluded.first_name,
    last_name = excluded.last_name, email = excluded.email, phone = excluded.phone,
    plate = excluded.plate, phone_key = excluded.phone_key, email_key = excluded.email_key,
    name_key = excluded.name_key, plate_key = excluded.plate_key,
    updated_at = excluded.updated_at, last_position = excluded.last_position
WHERE i.last_position < excluded.last_position
""",
    "candidates": """
SELECT identity_id, person_id, phone_key, email_key, name_key, plate_key
FROM {people_identities}
WHERE org_id = $1 AND identity_id <> $2
  AND (phone_key = $3 OR email_key = $4 OR name_key = $5)
ORDER BY identity_id LIMIT 100
""",
    "vetoes": "SELECT identity_id, target FROM {people_vetoes} "
    "WHERE org_id = $1 AND identity_id = ANY($2::text[])",
    "drop_veto": "DELETE FROM {people_vetoes} WHERE org_id = $1 AND identity_id = $2 "
    "AND target = $3",
}


class _Chained:
    """A connection that runs ``observe``, ``link``, ``link_one``, ``created``, ``linked`` and
    ``create_person_owners`` as the statements they join, one after the other, and each
    ``executemany`` as its statements one by one."""

    def __init__(self, conn: asyncpg.Connection, p: PeopleProjection) -> None:
        targets = {t: p.target(t) for t in TABLES}
        self.conn, self.sql = conn, people_sql(targets)
        quoted = {t: quote_table(targets[t]) for t in TABLES}
        self.chained = {name: sql.format(**quoted) for name, sql in _CHAINED.items()}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)

    async def fetchrow(self, sql: str, *args: Any) -> Any:
        if sql != self.sql["observe"]:
            return await self.conn.fetchrow(sql, *args)
        org, me, keys = args[0], args[1], args[10:13]
        before = await self.conn.fetchrow(self.chained["get_identity"], org, me)
        await self.conn.execute(self.chained["upsert_identity"], *args)
        rows = []
        if any(k is not None for k in keys):
            rows = await self.conn.fetch(self.chained["candidates"], org, me, *keys)
        ids = [r["identity_id"] for r in rows]
        vetoes = await self.conn.fetch(self.chained["vetoes"], org, [me, *ids]) if rows else []
        found = before is not None
        columns = ("phone_key", "email_key", "name_key", "plate_key")
        return {
            "found": found, "person_id": before["person_id"] if found else None,
            **{c: before[c] if found else None for c in columns},
            "ids": ids, "persons": [r["person_id"] for r in rows],
            "phones": [r["phone_key"] for r in rows], "emails": [r["email_key"] for r in rows],
            "names": [r["name_key"] for r in rows], "plates": [r["plate_key"] for r in rows],
            "veto_identities": [v["identity_id"] for v in vetoes],
            "veto_targets": [v["target"] for v in vetoes],
        }  # fmt: skip

    async def execute(self, sql: str, *args: Any) -> Any:
        if sql == self.sql["link_one"]:
            return await self.execute(self.sql["link"], args[0], [args[1]], *args[2:])
        if sql != self.sql["link"]:
            return await self.conn.execute(sql, *args)
        org, ids, person, by, at, position = args
        await self.conn.execute(self.sql["set_person"], org, ids, person, by)
        await self.conn.execute(self.sql["touch_person"], org, person, at, position)
        return await self.conn.execute(self.sql["drop_settled"], org, person)

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Each row's statement after the one before, ``created`` and ``linked`` as the
        fold ran them: the person (created, or found), who owns the identities, the link
        of those nobody else owns, the unlink vetoes it lifts."""
        for args in rows:
            if sql in (self.sql["created"], self.sql["linked"]):
                await self._take(sql == self.sql["created"], *args)
            else:
                await self.execute(sql, *args)

    async def _take(
        self, create: bool, org: UUID, person: UUID, at: Any, position: int, ids: list[str],
        target: str, name: str | None = None,
    ) -> None:  # fmt: skip
        if create:
            await self.conn.execute(self.sql["create_person"], org, person, name, at, position)
        elif not await self.conn.fetchval(self.sql["person_exists"], org, person):
            return
        owners = await self.conn.fetch(self.sql["owners"], org, ids)
        mine = [r["identity_id"] for r in owners if r["person_id"] in (None, person)]
        if mine:
            await self.execute(self.sql["link"], org, mine, person, "manager", at, position)
        for identity in mine:
            await self.conn.execute(self.chained["drop_veto"], org, identity, target)

    async def fetch(self, sql: str, *args: Any) -> Any:
        if sql != self.sql["create_person_owners"]:
            return await self.conn.fetch(sql, *args)
        await self.conn.execute(self.sql["create_person"], *args[:5])
        return await self.conn.fetch(self.sql["owners"], args[0], args[5])


def _driver(rng: random.Random, provider: str, driver_id: str) -> Observation:
    first, last = rng.choice(_NAMES)
    phone, email = rng.choice(_PHONES), rng.choice(_EMAILS)
    extra: dict[str, object] = {"email": email} if email else {}
    if provider == "uber":
        return uber_driver(driver_id, first, last, **extra, **({"phone": phone} if phone else {}))
    if phone:
        extra["phone"] = f"0{phone}"
    plate = rng.choice(_PLATES)
    return bolt_driver(driver_id, first, last, **extra, **({"plate": plate} if plate else {}))


def _uuid(rng: random.Random) -> UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class _World:
    """What the random decisions pick from: the identities seen, the people that exist (as
    the one-at-a-time projection has them) and the suggestions."""

    def __init__(self, owner: asyncpg.Pool, p: PeopleProjection, org: UUID) -> None:
        self.owner_pool, self.p, self.org = owner, p, org

    async def people(self) -> list[UUID]:
        sql = f"SELECT person_id FROM {self.p.target('people')} WHERE org_id = $1 "  # noqa: S608
        sql += "ORDER BY created_at, person_id"  # in log order: the same each run
        return [r[0] for r in await self.owner_pool.fetch(sql, self.org)]

    async def owner(self, identity: str) -> UUID | None:
        table = self.p.target("people_identities")
        sql = f"SELECT person_id FROM {table} WHERE org_id = $1 AND identity_id = $2"  # noqa: S608
        person: UUID | None = await self.owner_pool.fetchval(sql, self.org, identity)
        return person

    async def suggestions(self) -> list[asyncpg.Record]:
        table = self.p.target("people_suggestions")
        sql = f"SELECT * FROM {table} WHERE org_id = $1 ORDER BY 3, 4"  # noqa: S608
        return list(await self.owner_pool.fetch(sql, self.org))


async def _decision(
    rng: random.Random, world: _World, identities: list[str]
) -> people.Decided | None:
    persons, suggestions = await world.people(), await world.suggestions()
    kind = rng.choice(["create", "link", "unlink", "merge", "split", "rename", "reject"])
    ident = rng.choice(identities)
    if kind == "create" or not persons:
        ids = rng.sample(identities, k=min(2, len(identities)))
        return people.PersonCreated(
            person_id=_uuid(rng), display_name="Créé", identity_ids=ids, **WHO
        )
    person = rng.choice(persons)
    if kind == "link" and suggestions and rng.random() < 0.7:  # a suggestion accepted
        pair = rng.choice(suggestions)
        one, other = pair["identity_id"], pair["other_identity_id"]
        person = await world.owner(other) or await world.owner(one) or person
        ident = one if await world.owner(other) == person else other
    if kind == "link":
        return people.IdentityLinked(person_id=person, identity_id=ident, **WHO)
    if kind == "unlink":
        return people.IdentityUnlinked(person_id=person, identity_id=ident, **WHO)
    if kind == "merge":
        other = rng.choice(persons)
        return people.PeopleMerged(person_id=person, merged_person_id=other, **WHO)
    if kind == "split":
        return people.PersonSplit(
            person_id=person, new_person_id=_uuid(rng), display_name="Scindé",
            identity_ids=[ident], **WHO,
        )  # fmt: skip
    if kind == "rename":
        return people.PersonRenamed(person_id=person, display_name=f"N{rng.random()}", **WHO)
    if not suggestions:
        return None
    s = rng.choice(suggestions)
    return people.SuggestionRejected(
        suggestion_id=s["suggestion_id"], identity_id=s["identity_id"],
        other_identity_id=s["other_identity_id"], **WHO,
    )  # fmt: skip


async def _events_after(owner: asyncpg.Pool, org: UUID, after: int) -> list[EventEnvelope]:
    """The org's people events after ``after``, in log order."""
    found: list[EventEnvelope] = []
    async with owner.acquire() as conn:
        while batch := await read_after(conn, after, 1000):
            after = batch[-1].position
            found += [
                e for e in batch if e.org_id == org and e.event_type in PeopleProjection.event_types
            ]
    return found


async def _apply(
    owner: asyncpg.Pool, p: PeopleProjection, events: Sequence[EventEnvelope], *, chained: bool
) -> None:
    async with owner.acquire() as conn, conn.transaction():
        await p.apply(_Chained(conn, p) if chained else conn, events)  # type: ignore[arg-type]


async def _tables(owner: asyncpg.Pool, p: PeopleProjection, org: UUID) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    out = {}
    for t in TABLES:
        sql = f"SELECT * FROM {p.target(t)} WHERE org_id = $1 ORDER BY 2, 3"  # noqa: S608
        out[t] = [tuple(r) for r in await owner.fetch(sql, org)]
    return out


async def test_batches_of_any_size_leave_the_tables_chained_statements_one_at_a_time_leave(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    rng = random.Random(20261207)
    one_by_one = await own_people_tables(owner_pool)
    world = _World(owner_pool, one_by_one, org_id)
    drivers = [("uber", f"u{i}") for i in range(6)] + [("bolt", f"b{i}") for i in range(6)]
    identities = [f"{provider}:{d}" for provider, d in drivers]
    async with owner_pool.acquire() as conn:
        start = after = await head_position(conn)

    for _ in range(250):
        if rng.random() < 0.7:
            page = rng.sample(drivers, k=rng.randint(1, 3))
            await observe(writer_pool, org_id, *(_driver(rng, p, d) for p, d in page))
        elif (decision := await _decision(rng, world, identities)) is not None:
            await decide(writer_pool, org_id, decision)
        for event in (new := await _events_after(owner_pool, org_id, after)):
            await _apply(owner_pool, one_by_one, [event], chained=True)
        after = new[-1].position if new else after
    events = await _events_after(owner_pool, org_id, start)
    all_at_once = await own_people_tables(owner_pool)
    await _apply(owner_pool, all_at_once, events, chained=False)
    expected = await _tables(owner_pool, one_by_one, org_id)
    kinds = {row[3] for row in expected["people_history"]}
    assert len(kinds) == 8 and expected["people_vetoes"]  # every decision, automatic links
    assert await _tables(owner_pool, all_at_once, org_id) == expected

    # Compared after each chunk too: a later statement could mend a wrong table in the end.
    in_chunks, reference = await own_people_tables(owner_pool), await own_people_tables(owner_pool)
    cut = 0
    while cut < len(events):
        chunk = events[cut : cut + rng.randint(1, 25)]
        cut += len(chunk)
        await _apply(owner_pool, in_chunks, chunk, chained=False)
        for event in chunk:
            await _apply(owner_pool, reference, [event], chained=True)
        assert await _tables(owner_pool, in_chunks, org_id) == await _tables(
            owner_pool, reference, org_id
        ), f"after position {chunk[-1].position}"


async def test_a_run_of_decisions_that_depend_on_each_other_is_applied_in_order(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    # Decisions sent together (one ``executemany`` per run of the same statement), each
    # reading what the ones before it wrote: a person created twice, an identity a first
    # person takes and a second may not, a link to a person created just before, a rename
    # of it, an unlink, a relink that lifts its veto and an unlink again, a rejection, a
    # person who takes what is left.
    async with owner_pool.acquire() as conn:
        start = await head_position(conn)
    a, b = uuid.uuid4(), uuid.uuid4()
    await observe(
        writer_pool, org_id, uber_driver("u1", "Anne", "Roy", phone="612000001"),
        uber_driver("u2", "Omar", "Diallo"), bolt_driver("b1", "Roy", "Anne"),
    )  # fmt: skip
    for decision in (
        people.PersonCreated(person_id=a, display_name="A", identity_ids=["uber:u1"], **WHO),
        people.PersonCreated(person_id=a, display_name="A2", identity_ids=["uber:u2"], **WHO),
        people.PersonCreated(person_id=b, display_name="B", identity_ids=["uber:u1"], **WHO),
        people.IdentityLinked(person_id=b, identity_id="bolt:b1", **WHO),
        people.IdentityLinked(person_id=a, identity_id="bolt:b1", **WHO),
        people.PersonRenamed(person_id=b, display_name="B2", **WHO),
        people.IdentityUnlinked(person_id=a, identity_id="uber:u2", **WHO),
        people.IdentityLinked(person_id=a, identity_id="uber:u2", **WHO),
        people.IdentityUnlinked(person_id=a, identity_id="uber:u2", **WHO),
        people.SuggestionRejected(
            suggestion_id=uuid.uuid4(),
            identity_id="uber:u2",
            other_identity_id="bolt:b1",
            **WHO,
        ),
        people.PersonCreated(
            person_id=uuid.uuid4(), display_name="C", identity_ids=["uber:u2", "bolt:b1"], **WHO
        ),
        people.PersonRenamed(person_id=a, display_name="A3", **WHO),
    ):
        await decide(writer_pool, org_id, decision)
    events = await _events_after(owner_pool, org_id, start)

    together, one_by_one = await own_people_tables(owner_pool), await own_people_tables(owner_pool)
    await _apply(owner_pool, together, events, chained=False)
    for event in events:
        await _apply(owner_pool, one_by_one, [event], chained=True)

    found = await _tables(owner_pool, together, org_id)
    assert found == await _tables(owner_pool, one_by_one, org_id)
    owners = {r[1]: r[5] for r in found["people_identities"]}
    names = {r[1]: r[2] for r in found["people"]}
    assert names[a] == "A3" and names[b] == "B2"
    c = next(p for p in names if p not in (a, b))
    assert owners == {"uber:u1": a, "uber:u2": c, "bolt:b1": b}
    vetoes = {(r[1], r[2], r[3]) for r in found["people_vetoes"]}
    assert vetoes == {
        ("uber:u2", str(a), "unlinked"),
        ("bolt:b1", "uber:u2", "rejected"),
        ("uber:u2", "bolt:b1", "rejected"),
    }


async def test_an_identity_linked_earlier_in_a_run_is_matched_as_it_is_now(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    # In one run of observations, u1 joins a person founded with b1 (same phone), then
    # shows a phone that z1, a manager's person's, has: u1 has a person by then, so the pair
    # is only suggested. A batched run that read u1 as the run started (unknown, free to
    # join z1's person) would link it; none of u1's new keys is one the run wrote before
    # (no names: single words), so this is the identity's own row that must be read again.
    async with owner_pool.acquire() as conn:
        start = await head_position(conn)
    await observe(writer_pool, org_id, bolt_driver("z1", "Zed", "", phone="0612000009"))
    q = uuid.uuid4()
    await decide(
        writer_pool, org_id,
        people.PersonCreated(person_id=q, display_name="Q", identity_ids=["bolt:z1"], **WHO),
    )  # fmt: skip
    async with owner_pool.acquire() as conn:
        run_start = await head_position(conn)
    await observe(writer_pool, org_id, uber_driver("u1", "Ann", "", phone="612000001"))
    await observe(writer_pool, org_id, bolt_driver("b1", "Bob", "", phone="0612000001"))
    await observe(writer_pool, org_id, uber_driver("u1", "Ann", "", phone="612000009"))
    found = await _run_as_one_batch_and_one_by_one(owner_pool, org_id, start, run_start)
    owners = {r[1]: r[5] for r in found["people_identities"]}
    assert owners["uber:u1"] == owners["bolt:b1"] != q
    assert [(r[2], r[3]) for r in found["people_suggestions"]] == [("bolt:z1", "uber:u1")]


async def test_a_candidate_linked_earlier_in_a_run_is_matched_with_its_person(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    # In one run of observations, u1 (known before the run, nobody's) is linked with b1 by
    # their phone; then b2 shares only u1's e-mail: it joins their person, as u1 has one by
    # then. A batched run that read u1 as the run started (nobody's) would found a new
    # person with it; b2 shares no key with anything the run observed, so this is a
    # candidate the run linked that must be read again.
    async with owner_pool.acquire() as conn:
        start = await head_position(conn)
    u1 = uber_driver("u1", "Ann", "", phone="612000001", email="ann@x.fr")
    await observe(writer_pool, org_id, u1)
    async with owner_pool.acquire() as conn:
        run_start = await head_position(conn)
    await observe(writer_pool, org_id, bolt_driver("b1", "Bob", "", phone="0612000001"))
    await observe(writer_pool, org_id, bolt_driver("b2", "Cy", "", email="ann@x.fr"))
    found = await _run_as_one_batch_and_one_by_one(owner_pool, org_id, start, run_start)
    owners = {r[1]: r[5] for r in found["people_identities"]}
    assert owners["uber:u1"] == owners["bolt:b1"] == owners["bolt:b2"] is not None


async def _run_as_one_batch_and_one_by_one(
    owner: asyncpg.Pool, org: UUID, start: int, run_start: int
) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    """The org's events after ``start``: those up to ``run_start`` one by one, then the
    rest as one batch, and again one by one; the tables (asserted the same both ways)."""
    events = await _events_after(owner, org, start)
    run = [e for e in events if e.position > run_start]
    together, one_by_one = await own_people_tables(owner), await own_people_tables(owner)
    for p in (together, one_by_one):
        for event in (e for e in events if e.position <= run_start):
            await _apply(owner, p, [event], chained=True)
    await _apply(owner, together, run, chained=False)
    for event in run:
        await _apply(owner, one_by_one, [event], chained=True)
    found = await _tables(owner, together, org)
    assert found == await _tables(owner, one_by_one, org)
    return found
