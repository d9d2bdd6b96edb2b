"""The people API: reads under RLS, decisions that are checked, idempotent and race-safe."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from uuid import UUID

import asyncpg

from projector.projections.people import PeopleProjection
from tests.api.seed import other_org, seed_bolt_day, seed_uber_day
from tests.apihelp import ApiClient, login
from tests.people.support import bolt_driver, catch_up, observe, uber_driver


def _id() -> str:
    return uuid.uuid4().hex[:12]


async def _fleet(owner: asyncpg.Pool, writer: asyncpg.Pool, org: UUID) -> dict[str, str]:
    """Laurent on Uber and Bolt (same phone), Sami on Bolt alone, and the projection caught up."""
    ids = {"laurent_uber": _id(), "laurent_bolt": _id(), "sami": _id()}
    await observe(
        writer, org,
        uber_driver(ids["laurent_uber"], "Laurent", "Dupont", phone="612345678"),
        bolt_driver(ids["laurent_bolt"], "Laurent", "Dupont", phone="+33 6 12 34 56 78",
                    plate="AB-123-CD"),
        bolt_driver(ids["sami"], "Sami", "Kaci", phone="0698765432"),
    )  # fmt: skip
    await catch_up(owner, PeopleProjection())
    return ids


async def _person_of(api: ApiClient, headers: dict[str, str], q: str) -> dict:  # type: ignore[type-arg]
    found = (await api.get("/people", params={"q": q}, headers=headers)).json()["items"]
    assert len(found) == 1, found
    return found[0]  # type: ignore[no-any-return]


async def test_people_are_found_by_any_written_form_of_a_phone_and_exported_as_csv(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    ids = await _fleet(owner_pool, writer_pool, org_id)
    viewer = await login(api, await make_user(org_id, "viewer"))

    laurent = await _person_of(api, viewer, "0033 6.12.34.56.78")

    assert {(i["provider"], i["driver_id"]) for i in laurent["identities"]} == {
        ("uber", ids["laurent_uber"]), ("bolt", ids["laurent_bolt"]),
    }  # fmt: skip
    assert (await _person_of(api, viewer, "ab123cd"))["person_id"] == laurent["person_id"]
    assert (await _person_of(api, viewer, "DUPONT laurent"))["person_id"] == laurent["person_id"]
    unmapped = (await api.get("/people/unmapped", headers=viewer)).json()["items"]
    assert [i["identity_id"] for i in unmapped] == [f"bolt:{ids['sami']}"]
    csv = await api.get("/people", params={"format": "csv"}, headers=viewer)
    assert csv.status_code == 200 and csv.text.count("\n") == 2 and ids["laurent_bolt"] in csv.text


async def test_a_manager_links_a_driver_and_the_next_read_shows_it_with_who_and_why(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    ids = await _fleet(owner_pool, writer_pool, org_id)
    manager_user = await make_user(org_id, "manager")
    manager = await login(api, manager_user)
    created = await api.post(
        "/people", json={"identity_ids": [f"bolt:{ids['sami']}"], "reason": "vu au dépôt"},
        headers={**manager, "X-Request-ID": "req-1"},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    sami = created.json()["person_id"]

    detail = (await api.get(f"/people/{sami}", headers=manager)).json()
    assert detail["display_name"] == "Sami Kaci"
    assert [i["linked_by"] for i in detail["identities"]] == ["manager"]
    auditor = await login(api, await make_user(org_id, "auditor"))
    history = (await api.get(f"/people/{sami}/history", headers=auditor)).json()["items"]
    assert [(h["kind"], h["user_email"], h["reason"], h["request_id"]) for h in history] == [
        ("people.person_created", manager_user.email, "vu au dépôt", "req-1")
    ]
    viewer = await login(api, await make_user(org_id, "viewer"))
    assert (await api.get(f"/people/{sami}/history", headers=viewer)).status_code == 403
    assert (await api.post("/people", json={"identity_ids": []}, headers=viewer)).status_code == 403


async def test_linking_a_driver_that_belongs_to_someone_else_is_a_409_naming_that_person(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    ids = await _fleet(owner_pool, writer_pool, org_id)
    manager = await login(api, await make_user(org_id, "manager"))
    laurent = await _person_of(api, manager, "Laurent")
    sami = (await api.post(
        "/people", json={"identity_ids": [f"bolt:{ids['sami']}"]}, headers=manager
    )).json()  # fmt: skip

    taken = await api.post(
        f"/people/{sami['person_id']}/identities",
        json={"identity_id": f"uber:{ids['laurent_uber']}"}, headers=manager,
    )  # fmt: skip

    assert taken.status_code == 409
    assert taken.headers["content-type"].startswith("application/problem+json")
    assert taken.json()["errors"] == [{
        "identity_id": f"uber:{ids['laurent_uber']}",
        "person_id": laurent["person_id"], "display_name": "Laurent Dupont",
    }]  # fmt: skip


async def test_two_managers_linking_the_same_driver_at_once_one_wins_the_other_gets_409(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    ids = await _fleet(owner_pool, writer_pool, org_id)
    one = await login(api, await make_user(org_id, "manager"))
    two = await login(api, await make_user(org_id, "admin"))
    lone = _id()
    await observe(writer_pool, org_id, uber_driver(lone, "Yanis", "Morel"))
    await catch_up(owner_pool, PeopleProjection())
    people = [
        (await api.post("/people", json={"identity_ids": [ident]}, headers=h)).json()
        for ident, h in ((f"uber:{lone}", one), (f"bolt:{ids['sami']}", two))
    ]
    laurent = await _person_of(api, one, "Laurent")
    await api.delete(
        f"/people/{laurent['person_id']}/identities/bolt:{ids['laurent_bolt']}", headers=one
    )

    answers = await asyncio.gather(*(
        api.post(f"/people/{p['person_id']}/identities",
                 json={"identity_id": f"bolt:{ids['laurent_bolt']}"}, headers=h)
        for p, h in zip(people, (one, two), strict=True)
    ))  # fmt: skip

    assert sorted(a.status_code for a in answers) == [200, 409]
    winner = next(a for a in answers if a.status_code == 200).json()
    loser = next(a for a in answers if a.status_code == 409).json()
    assert loser["errors"][0]["person_id"] == winner["person_id"]


async def test_a_repeated_idempotency_key_has_one_effect(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    ids = await _fleet(owner_pool, writer_pool, org_id)
    manager = await login(api, await make_user(org_id, "manager"))
    headers = {**manager, "Idempotency-Key": f"k-{_id()}"}
    body = {"identity_ids": [f"bolt:{ids['sami']}"]}

    first, again = [await api.post("/people", json=body, headers=headers) for _ in range(2)]

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers.get("Idempotency-Replayed") == "true"
    people = (await api.get("/people", params={"q": "Sami"}, headers=manager)).json()["items"]
    assert len(people) == 1
    other = await api.post("/people", json={**body, "reason": "autre"}, headers=headers)
    assert other.status_code == 422


async def test_suggestions_are_accepted_or_rejected_and_a_rejection_is_never_proposed_again(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    a, b, c = _id(), _id(), _id()
    await observe(
        writer_pool, org_id,
        uber_driver(a, "Inès", "Martin"), bolt_driver(b, "INES", "MARTIN", plate="XY-1"),
        bolt_driver(c, "Ines", "Martin", plate="xy 1"),
    )  # fmt: skip
    await catch_up(owner_pool, PeopleProjection())
    manager = await login(api, await make_user(org_id, "manager"))
    found = (await api.get("/people/suggestions", headers=manager)).json()["items"]
    assert [(s["score"], s["reasons"]) for s in found] == [
        (80, ["même nom et même plaque"]), (50, ["même nom"]), (50, ["même nom"]),
    ]  # fmt: skip

    accepted = await api.post(f"/people/suggestions/{found[0]['suggestion_id']}/accept",
                              json={}, headers=manager)  # fmt: skip
    assert accepted.status_code == 200, accepted.text
    assert {i["identity_id"] for i in accepted.json()["identities"]} == {f"bolt:{b}", f"bolt:{c}"}
    assert accepted.json()["display_name"] in {"INES MARTIN", "Ines Martin"}
    left = (await api.get("/people/suggestions", headers=manager)).json()["items"]
    assert len(left) == 2  # the Uber account against each Bolt one
    rejected = await api.post(f"/people/suggestions/{left[0]['suggestion_id']}/reject",
                              json={"reason": "homonyme"}, headers=manager)  # fmt: skip
    assert rejected.status_code == 204
    await observe(writer_pool, org_id, uber_driver(a, "Inès", "MARTIN", email="ines@x.fr"))
    await catch_up(owner_pool, PeopleProjection())
    remaining = (await api.get("/people/suggestions", headers=manager)).json()["items"]
    assert [s["suggestion_id"] for s in remaining] == [left[1]["suggestion_id"]]


async def test_activity_sums_both_platforms_per_paris_day(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    ids = await _fleet(owner_pool, writer_pool, org_id)
    day = date(2026, 3, 10)
    await seed_uber_day(owner_pool, org_id, ids["laurent_uber"], day, 7, 9_000)
    await seed_bolt_day(owner_pool, org_id, ids["laurent_bolt"], day, 3, 4_000)
    await seed_bolt_day(owner_pool, org_id, ids["sami"], day, 9, 9_999)  # not Laurent's
    viewer = await login(api, await make_user(org_id, "viewer"))
    laurent = await _person_of(api, viewer, "Laurent")

    activity = (await api.get(
        f"/people/{laurent['person_id']}/activity",
        params={"from": "2026-03-09", "to": "2026-03-10"}, headers=viewer,
    )).json()  # fmt: skip

    assert [d["day"] for d in activity["days"]] == ["2026-03-09", "2026-03-10"]
    assert activity["uber"]["trips"] == 7 and activity["uber"]["earnings_minor"] == 9_000
    assert activity["bolt"]["orders"] == 3 and activity["bolt"]["gross_minor"] == 4_000
    assert activity["days"][0]["bolt"]["orders"] == 0


async def test_another_fleets_people_are_invisible_and_cannot_be_linked(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    ids = await _fleet(owner_pool, writer_pool, org_id)
    mine = await login(api, await make_user(org_id, "admin"))
    laurent = await _person_of(api, mine, "Laurent")
    elsewhere = await other_org(owner_pool, org_id)
    theirs = await login(api, await make_user(elsewhere, "admin"))

    assert (await api.get("/people", headers=theirs)).json()["items"] == []
    assert (await api.get(f"/people/{laurent['person_id']}", headers=theirs)).status_code == 404
    steal = await api.post("/people", json={"identity_ids": [f"bolt:{ids['sami']}"]},
                           headers=theirs)  # fmt: skip
    assert steal.status_code == 422
    assert (await api.get("/people/unmapped", headers=theirs)).json()["items"] == []


async def test_unlink_merge_split_and_rename_are_decisions_in_the_persons_history(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    ids = await _fleet(owner_pool, writer_pool, org_id)
    manager = await login(api, await make_user(org_id, "manager"))
    laurent = (await _person_of(api, manager, "Laurent"))["person_id"]
    bolt, uber = f"bolt:{ids['laurent_bolt']}", f"uber:{ids['laurent_uber']}"

    unlinked = await api.delete(f"/people/{laurent}/identities/{bolt}",
                                params={"reason": "compte partagé"}, headers=manager)  # fmt: skip
    assert [i["identity_id"] for i in unlinked.json()["identities"]] == [uber]
    other = (await api.post("/people", json={"identity_ids": [bolt]}, headers=manager)).json()
    both = {"person_id": laurent, "merged_person_id": other["person_id"]}
    merged = await api.post("/people/merge", json=both, headers=manager)
    assert merged.status_code == 200 and len(merged.json()["identities"]) == 2
    assert (await api.get(f"/people/{other['person_id']}", headers=manager)).status_code == 404
    apart = {"identity_ids": [bolt], "display_name": "L. Dupont (Bolt)"}
    split = await api.post(f"/people/{laurent}/split", json=apart, headers=manager)
    assert split.status_code == 201 and split.json()["display_name"] == "L. Dupont (Bolt)"
    renamed = await api.patch(f"/people/{laurent}", json={"display_name": "Laurent D."},
                              headers=manager)  # fmt: skip
    assert renamed.json()["display_name"] == "Laurent D."

    history = (await api.get(f"/people/{laurent}/history", headers=manager)).json()["items"]
    assert [h["kind"] for h in history] == [
        "people.automatic_link", "people.automatic_link", "people.identity_unlinked",
        "people.merged", "people.split", "people.renamed",
    ]  # fmt: skip
    assert history[2]["reason"] == "compte partagé"
