"""Managers' decisions about people (admins and managers): create, link, unlink, merge,
split, rename, accept or reject a suggestion. Each is one decision event in the log,
checked and applied in one transaction (query_api/people_writes.py explains how), so the
answer already shows it. A repeated request with the same ``Idempotency-Key`` is answered
again without a second effect."""

from __future__ import annotations

import uuid
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Header, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from contracts import people as c
from query_api.deps import require_role
from query_api.listing import NO_NUL
from query_api.people_queries import one_person
from query_api.people_writes import (
    Caller,
    DecidedFields,
    Owner,
    PeopleWrites,
    Plan,
    conflict,
    owners,
    request_hash,
)
from query_api.problems import ApiProblem
from query_api.schemas import MsgspecResponse, ok, problems
from query_api.schemas_people import Person
from query_api.security import Principal

DECIDERS = require_role("admin", "manager")
router = APIRouter(prefix="/people", tags=["people"], dependencies=[Depends(DECIDERS)])

IdentityId = Annotated[str, Field(max_length=200, pattern=r"^(uber|bolt):[^\x00]+$")]
Reason = Annotated[str | None, Field(default=None, max_length=500, pattern=NO_NUL)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]


class NewPerson(BaseModel):
    identity_ids: list[IdentityId] = Field(min_length=1, max_length=20)
    display_name: Name | None = None
    reason: Reason = None


class LinkIdentity(BaseModel):
    identity_id: IdentityId
    reason: Reason = None


class Merge(BaseModel):
    person_id: UUID = Field(description="The person kept")
    merged_person_id: UUID = Field(description="The person merged into it, and gone")
    reason: Reason = None


class Split(BaseModel):
    identity_ids: list[IdentityId] = Field(min_length=1, max_length=20)
    display_name: Name
    reason: Reason = None


class Rename(BaseModel):
    display_name: Name
    reason: Reason = None


class Note(BaseModel):
    reason: Reason = None


async def caller(
    request: Request,
    who: Annotated[Principal, Depends(DECIDERS)],
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", max_length=200, pattern=NO_NUL)
    ] = None,
    request_id: Annotated[
        str | None, Header(alias="X-Request-ID", max_length=200, pattern=NO_NUL)
    ] = None,
) -> Caller:
    """Who decides, from which request; the body's hash ties an Idempotency-Key to it."""
    body = await request.body()
    return Caller(
        who=who,
        request_id=request_id or str(uuid.uuid4()),
        idempotency_key=idempotency_key,
        request_hash=request_hash(request.method, f"{request.url.path}?{request.url.query}", body),
    )


Decider = Annotated[Caller, Depends(caller)]
PersonId = Annotated[UUID, Path()]
_WRITE = {**problems(400, 401, 403, 404, 409, 422, 503)}


def _writes(request: Request) -> PeopleWrites:
    writes: PeopleWrites = request.app.state.people_writes
    return writes


async def _known(conn: asyncpg.Connection, org: UUID, ids: list[str]) -> dict[str, Owner]:
    """The identities of ``ids``, each of which must exist in the caller's fleet (422)."""
    found = await owners(conn, org, ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise ApiProblem(422, "Unknown identity", f"no such identity: {', '.join(missing)}")
    return found


def _free(found: dict[str, Owner], person: UUID | None = None) -> list[str]:
    """The identities not yet ``person``'s; 409 naming the owner of any that is another's."""
    for owner in found.values():
        if owner.person_id is not None and owner.person_id != person:
            raise conflict(owner)
    return [i for i, owner in found.items() if owner.person_id is None]


async def _person(conn: asyncpg.Connection, org: UUID, person_id: UUID) -> Person:
    person = await one_person(conn, org, person_id)
    if person is None:
        raise ApiProblem(404, "Not Found", "no such person")
    return person


def _answer(org: UUID, person_id: UUID):  # type: ignore[no-untyped-def]
    async def answer(conn: asyncpg.Connection) -> Person:
        return await _person(conn, org, person_id)

    return answer


@router.post("", status_code=201, response_class=MsgspecResponse,
             responses={**ok(Person, "Created"), **_WRITE})  # fmt: skip
async def create_person(body: NewPerson, who: Decider, request: Request) -> Response:
    """A new person owning the given platform identities (each must be nobody's: 409)."""
    org, person_id = who.who.org_id, uuid.uuid4()
    ids = list(dict.fromkeys(body.identity_ids))

    async def plan(conn: asyncpg.Connection) -> Plan:
        found = await _known(conn, org, ids)
        _free(found)
        name = body.display_name or await _name_of(conn, org, ids[0])
        decision = c.PersonCreated(
            person_id=person_id, display_name=name, identity_ids=ids, **who.decided(body.reason)
        )
        return Plan(decision, dict.fromkeys(ids, person_id))

    return await _writes(request).decide(who, plan, _answer(org, person_id), 201)


async def _name_of(conn: asyncpg.Connection, org: UUID, identity: str) -> str:
    row = await conn.fetchrow(
        "SELECT first_name, last_name FROM people_identities WHERE org_id = $1 "
        "AND identity_id = $2",
        org,
        identity,
    )
    name = f"{row['first_name'] or ''} {row['last_name'] or ''}".strip() if row else ""
    return name or identity


@router.post("/merge", response_class=MsgspecResponse, responses={**ok(Person), **_WRITE})
async def merge(body: Merge, who: Decider, request: Request) -> Response:
    """One person: ``merged_person_id``'s identities move to ``person_id``, which remains."""
    org = who.who.org_id
    if body.person_id == body.merged_person_id:
        raise ApiProblem(422, "Invalid request", "a person cannot be merged into itself")

    async def plan(conn: asyncpg.Connection) -> Plan:
        await _person(conn, org, body.person_id)
        gone = await _person(conn, org, body.merged_person_id)
        decision = c.PeopleMerged(
            person_id=body.person_id, merged_person_id=body.merged_person_id,
            **who.decided(body.reason),
        )  # fmt: skip
        return Plan(decision, {i.identity_id: body.person_id for i in gone.identities})

    return await _writes(request).decide(who, plan, _answer(org, body.person_id), 200)


@router.post("/suggestions/{suggestion_id}/accept", response_class=MsgspecResponse,
             responses={**ok(Person), **_WRITE})  # fmt: skip
async def accept_suggestion(
    suggestion_id: Annotated[UUID, Path()], body: Note, who: Decider, request: Request
) -> Response:
    """The suggestion's two identities are one person: link the unmapped one to the other's
    person, make a new person of both, or merge their two people. Answers that person."""
    org = who.who.org_id
    kept: list[UUID] = []

    async def plan(conn: asyncpg.Connection) -> Plan:
        pair = await _suggested(conn, org, suggestion_id)
        found = await _known(conn, org, pair)
        name = await _name_of(conn, org, pair[0])
        decision, person = _accepting(
            suggestion_id, [found[i] for i in pair], name, who.decided(body.reason)
        )
        kept.append(person)
        return Plan(decision, dict.fromkeys(pair, person))

    async def answer(conn: asyncpg.Connection) -> Person:
        return await _person(conn, org, kept[0])

    return await _writes(request).decide(who, plan, answer, 200)


async def _suggested(conn: asyncpg.Connection, org: UUID, suggestion_id: UUID) -> list[str]:
    row = await conn.fetchrow(
        "SELECT identity_id, other_identity_id FROM people_suggestions "
        "WHERE org_id = $1 AND suggestion_id = $2",
        org,
        suggestion_id,
    )
    if row is None:
        raise ApiProblem(404, "Not Found", "no such suggestion")
    return [row["identity_id"], row["other_identity_id"]]


def _accepting(
    suggestion_id: UUID, pair: list[Owner], name: str, decided: DecidedFields
) -> tuple[c.Decided, UUID]:
    """The decision accepting a suggestion between ``pair``, and the person it leaves (a
    new one is called ``name``)."""
    a, b = pair
    if a.person_id is None and b.person_id is None:
        person = uuid.uuid4()
        ids = [a.identity_id, b.identity_id]
        return c.PersonCreated(
            person_id=person, display_name=name, identity_ids=ids, **decided
        ), person
    if a.person_id is not None and b.person_id is not None:
        return c.PeopleMerged(
            person_id=a.person_id, merged_person_id=b.person_id, **decided
        ), a.person_id
    owned, free = (a, b) if a.person_id is not None else (b, a)
    assert owned.person_id is not None
    return c.IdentityLinked(
        person_id=owned.person_id, identity_id=free.identity_id, suggestion_id=suggestion_id,
        **decided,
    ), owned.person_id  # fmt: skip


@router.post("/suggestions/{suggestion_id}/reject", status_code=204,
             responses={204: {"description": "Rejected"}, **_WRITE})  # fmt: skip
async def reject_suggestion(
    suggestion_id: Annotated[UUID, Path()], body: Note, who: Decider, request: Request
) -> Response:
    """The suggestion's two identities are not one person: it is never proposed again."""
    org = who.who.org_id

    async def plan(conn: asyncpg.Connection) -> Plan:
        a, b = await _suggested(conn, org, suggestion_id)
        decision = c.SuggestionRejected(
            suggestion_id=suggestion_id, identity_id=a, other_identity_id=b,
            **who.decided(body.reason),
        )  # fmt: skip
        return Plan(decision, {})

    async def nothing(_: asyncpg.Connection) -> None:
        return None

    return await _writes(request).decide(who, plan, nothing, 204)


@router.patch("/{person_id}", response_class=MsgspecResponse, responses={**ok(Person), **_WRITE})
async def rename(person_id: PersonId, body: Rename, who: Decider, request: Request) -> Response:
    """The name managers see for a person."""
    org = who.who.org_id

    async def plan(conn: asyncpg.Connection) -> Plan:
        await _person(conn, org, person_id)
        decision = c.PersonRenamed(
            person_id=person_id, display_name=body.display_name, **who.decided(body.reason)
        )
        return Plan(decision, {})

    return await _writes(request).decide(who, plan, _answer(org, person_id), 200)


@router.post("/{person_id}/identities", response_class=MsgspecResponse,
             responses={**ok(Person), **_WRITE})  # fmt: skip
async def link_identity(
    person_id: PersonId, body: LinkIdentity, who: Decider, request: Request
) -> Response:
    """A platform identity becomes this person's; 409 naming its owner if it is another's."""
    org = who.who.org_id

    async def plan(conn: asyncpg.Connection) -> Plan:
        await _person(conn, org, person_id)
        free = _free(await _known(conn, org, [body.identity_id]), person_id)
        decision = c.IdentityLinked(
            person_id=person_id, identity_id=body.identity_id, **who.decided(body.reason)
        )
        return Plan(decision if free else None, {body.identity_id: person_id})

    return await _writes(request).decide(who, plan, _answer(org, person_id), 200)


@router.delete("/{person_id}/identities/{identity_id}", response_class=MsgspecResponse,
               responses={**ok(Person), **_WRITE})  # fmt: skip
async def unlink_identity(
    person_id: PersonId,
    identity_id: Annotated[str, Path(max_length=200, pattern=r"^(uber|bolt):[^\x00]+$")],
    who: Decider,
    request: Request,
    reason: Annotated[str | None, Query(max_length=500, pattern=NO_NUL)] = None,
) -> Response:
    """The identity is no longer this person's (unmapped again), and will never be linked
    back to them automatically."""
    org = who.who.org_id

    async def plan(conn: asyncpg.Connection) -> Plan:
        person = await _person(conn, org, person_id)
        if identity_id not in {i.identity_id for i in person.identities}:
            raise ApiProblem(404, "Not Found", f"{identity_id} is not this person's")
        decision = c.IdentityUnlinked(
            person_id=person_id, identity_id=identity_id, **who.decided(reason)
        )
        return Plan(decision, {})

    return await _writes(request).decide(who, plan, _answer(org, person_id), 200)


@router.post("/{person_id}/split", status_code=201, response_class=MsgspecResponse,
             responses={**ok(Person, "Created"), **_WRITE})  # fmt: skip
async def split(person_id: PersonId, body: Split, who: Decider, request: Request) -> Response:
    """Some of a person's identities leave for a new person (answered)."""
    org, new = who.who.org_id, uuid.uuid4()
    ids = list(dict.fromkeys(body.identity_ids))

    async def plan(conn: asyncpg.Connection) -> Plan:
        person = await _person(conn, org, person_id)
        theirs = {i.identity_id for i in person.identities}
        others = [i for i in ids if i not in theirs]
        if others:
            raise ApiProblem(422, "Invalid request", f"not this person's: {', '.join(others)}")
        decision = c.PersonSplit(
            person_id=person_id, new_person_id=new, display_name=body.display_name,
            identity_ids=ids, **who.decided(body.reason),
        )  # fmt: skip
        return Plan(decision, dict.fromkeys(ids, new))

    return await _writes(request).decide(who, plan, _answer(org, new), 201)
