"""The people fold: automatic links, suggestions, decisions, and replays that agree."""

from __future__ import annotations

import uuid
from uuid import UUID

import asyncpg

from contracts import people
from projector.projections.people import PeopleProjection
from projector.replay import TablePlan, replay
from tests.people.support import (
    MANAGER,
    bolt_driver,
    catch_up,
    decide,
    observe,
    own_people_tables,
    uber_driver,
)

WHO = {"user_id": MANAGER, "user_email": "manager@example.test"}


def _id() -> str:
    return uuid.uuid4().hex[:12]


async def _owner_of(owner: asyncpg.Pool, p: PeopleProjection, org: UUID, ident: str) -> UUID | None:
    table = p.target("people_identities")
    sql = f"SELECT person_id FROM {table} WHERE org_id = $1 AND identity_id = $2"  # noqa: S608
    person: UUID | None = await owner.fetchval(sql, org, ident)
    return person


async def _suggestions(owner: asyncpg.Pool, p: PeopleProjection, org: UUID) -> list[tuple]:  # type: ignore[type-arg]
    table = p.target("people_suggestions")
    sql = (
        f"SELECT identity_id, other_identity_id, reasons, score FROM {table} "  # noqa: S608
        "WHERE org_id = $1 ORDER BY 1, 2"
    )
    return [tuple(r) for r in await owner.fetch(sql, org)]


async def test_same_phone_written_differently_links_uber_and_bolt_into_one_person(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    p = await own_people_tables(owner_pool)
    u, b = _id(), _id()
    await observe(writer_pool, org_id, uber_driver(u, "Laurent", "Dupont", phone="612345678"))
    await observe(writer_pool, org_id, bolt_driver(b, "Laurent", "DUPONT", phone="06.12.34.56.78"))

    await catch_up(owner_pool, p)

    person = await _owner_of(owner_pool, p, org_id, f"uber:{u}")
    assert person is not None
    assert await _owner_of(owner_pool, p, org_id, f"bolt:{b}") == person
    history = await owner_pool.fetch(
        f"SELECT kind, reasons FROM {p.target('people_history')} WHERE org_id = $1",  # noqa: S608
        org_id,
    )
    assert [(h["kind"], h["reasons"]) for h in history] == [
        ("people.automatic_link", ["même téléphone"]),
        ("people.automatic_link", ["même téléphone"]),
    ]


async def test_name_and_plate_only_suggests_and_a_rejection_is_never_proposed_again(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    p = await own_people_tables(owner_pool)
    a, b, c = _id(), _id(), _id()
    await observe(writer_pool, org_id, bolt_driver(a, "Karim", "Benali", plate="AB-123-CD"))
    await observe(writer_pool, org_id, bolt_driver(b, "KARIM", "BÉNALI", plate="ab 123 cd"))
    await catch_up(owner_pool, p)
    pair = tuple(sorted((f"bolt:{a}", f"bolt:{b}")))
    assert await _suggestions(owner_pool, p, org_id) == [(*pair, ["même nom et même plaque"], 80)]
    assert await _owner_of(owner_pool, p, org_id, f"bolt:{a}") is None  # unmapped

    await decide(writer_pool, org_id, people.SuggestionRejected(
        suggestion_id=uuid.uuid4(), identity_id=pair[0], other_identity_id=pair[1], **WHO
    ))  # fmt: skip
    await observe(writer_pool, org_id, bolt_driver(b, "Karim", "Benali", plate="AB123CD"))
    await observe(writer_pool, org_id, uber_driver(c, "Karim", "Benali"))
    await catch_up(owner_pool, p)

    found = await _suggestions(owner_pool, p, org_id)
    assert [s[:2] for s in found] == sorted(
        [tuple(sorted((f"uber:{c}", f"bolt:{a}"))), tuple(sorted((f"uber:{c}", f"bolt:{b}")))]
    )
    assert all(s[2] == ["même nom"] and s[3] == 50 for s in found)  # a name never links


async def test_a_changed_phone_suggests_and_never_moves_an_identity(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    p = await own_people_tables(owner_pool)
    u1, b1, u2, b2 = _id(), _id(), _id(), _id()
    await observe(writer_pool, org_id, uber_driver(u1, "Anne", "Roux", phone="611111111"))
    await observe(writer_pool, org_id, bolt_driver(b1, "Anne", "Roux", phone="0611111111"))
    await observe(writer_pool, org_id, uber_driver(u2, "Paul", "Blanc", phone="622222222"))
    await observe(writer_pool, org_id, bolt_driver(b2, "Paul", "Blanc", phone="0622222222"))
    await catch_up(owner_pool, p)
    anne = await _owner_of(owner_pool, p, org_id, f"bolt:{b1}")

    await observe(writer_pool, org_id, bolt_driver(b1, "Anne", "Roux", phone="0622222222"))
    await catch_up(owner_pool, p)

    assert await _owner_of(owner_pool, p, org_id, f"bolt:{b1}") == anne
    suggested = await _suggestions(owner_pool, p, org_id)
    assert {s[:2] for s in suggested} == {
        tuple(sorted((f"bolt:{b1}", f"uber:{u2}"))),
        tuple(sorted((f"bolt:{b1}", f"bolt:{b2}"))),
    }
    assert all(s[2] == ["même téléphone"] for s in suggested)


async def test_an_unlinked_identity_is_not_linked_back_and_replay_rebuilds_the_same_tables(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    p = await own_people_tables(owner_pool)
    u, b, b2 = _id(), _id(), _id()
    await observe(writer_pool, org_id, uber_driver(u, "Lina", "Haddad", email="lina@x.fr"))
    await observe(writer_pool, org_id, bolt_driver(b, "Lina", "Haddad", email=" LINA@x.fr "))
    await catch_up(owner_pool, p)
    lina = await _owner_of(owner_pool, p, org_id, f"uber:{u}")
    assert lina is not None

    await decide(writer_pool, org_id, people.IdentityUnlinked(
        person_id=lina, identity_id=f"bolt:{b}", reason="deux sœurs", **WHO
    ))  # fmt: skip
    await decide(writer_pool, org_id, people.PersonRenamed(
        person_id=lina, display_name="Lina H.", **WHO
    ))  # fmt: skip
    split_to = uuid.uuid4()
    await observe(writer_pool, org_id, bolt_driver(b2, "Lina", "Haddad", email="lina@x.fr"))
    await observe(
        writer_pool, org_id, bolt_driver(b, "Lina", "Haddad", email="lina@x.fr", state="active")
    )
    await observe(
        writer_pool, org_id, bolt_driver(b, "Lina", "Haddad", email="lina@X.fr", phone="0699999999")
    )
    await decide(writer_pool, org_id, people.PersonSplit(
        person_id=lina, new_person_id=split_to, display_name="Lina (Bolt)",
        identity_ids=[f"bolt:{b2}"], **WHO,
    ))  # fmt: skip
    await catch_up(owner_pool, p)

    assert await _owner_of(owner_pool, p, org_id, f"bolt:{b}") is None
    assert await _owner_of(owner_pool, p, org_id, f"bolt:{b2}") == split_to
    result = await replay(owner_pool, TablePlan(p.tables[0], (p,), p.tables[1:]))
    assert result.swapped and result.live == result.rebuilt and result.rebuilt.rows > 0
    assert await _owner_of(owner_pool, p, org_id, f"bolt:{b}") is None
