"""Managers' decisions about people (admins and managers): create, link, unlink, merge,
split, rename. Each is one decision event in the log, checked and applied in one
transaction (query_api/people_writes.py explains how), so the answer already shows it. A
repeated request with the same ``Idempotency-Key`` is answered again without a second
effect. Suggestions are accepted or rejected in routes/people_suggestions.py."""

from __future__ import annotations

import uuid
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from contracts import people as c
from query_api.listing import NO_NUL
from query_api.people_checks import (
    DECIDERS,
    WRITE_PROBLEMS,
    Decider,
    PersonId,
    Reason,
    answer_person,
    existing_person,
    known,
    name_of,
    unowned,
    writes,
)
from query_api.people_writes import Plan
from query_api.problems import ApiProblem
from query_api.schemas import MsgspecResponse, ok
from query_api.schemas_people import Person

router = APIRouter(prefix="/people", tags=["people"], dependencies=[Depends(DECIDERS)])
router = APIRouter(prefix="/people", tags=["people"], dependencies=[Depends(DECIDERS)])

IdentityId = Annotated[str, Field(max_length=200, pattern=r"^(uber|bolt):[^\x00]+$")]
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


@router.post("", status_code=201, response_class=MsgspecResponse,
             responses={**ok(Person, "Created"), **WRITE_PROBLEMS})  # fmt: skip
async def create_person(body: NewPerson, who: Decider, request: Request) -> Response:
    """A new person owning the given platform identities (each must be nobody's: 409)."""
    org, person_id = who.who.org_id, uuid.uuid4()
    ids = list(dict.fromkeys(body.identity_ids))

    async def plan(conn: asyncpg.Connection) -> Plan:
        found = await known(conn, org, ids)
        unowned(found)
        name = body.display_name or await name_of(conn, org, ids[0])
        decision = c.PersonCreated(
            person_id=person_id, display_name=name, identity_ids=ids, **who.decided(body.reason)
        )
        return Plan(decision, dict.fromkeys(ids, person_id))

    return await writes(request).decide(who, plan, answer_person(org, person_id), 201)


@router.post("/merge", response_class=MsgspecResponse, responses={**ok(Person), **WRITE_PROBLEMS})
async def merge(body: Merge, who: Decider, request: Request) -> Response:
    """One person: ``merged_person_id``'s identities move to ``person_id``, which remains."""
    org = who.who.org_id
    if body.person_id == body.merged_person_id:
        raise ApiProblem(422, "Invalid request", "a person cannot be merged into itself")

    async def plan(conn: asyncpg.Connection) -> Plan:
        await existing_person(conn, org, body.person_id)
        gone = await existing_person(conn, org, body.merged_person_id)
        decision = c.PeopleMerged(
            person_id=body.person_id, merged_person_id=body.merged_person_id,
            **who.decided(body.reason),
        )  # fmt: skip
        return Plan(decision, {i.identity_id: body.person_id for i in gone.identities})

    return await writes(request).decide(who, plan, answer_person(org, body.person_id), 200)


@router.patch(
    "/{person_id}", response_class=MsgspecResponse, responses={**ok(Person), **WRITE_PROBLEMS}
)
async def rename(person_id: PersonId, body: Rename, who: Decider, request: Request) -> Response:
    """The name managers see for a person."""
    org = who.who.org_id

    async def plan(conn: asyncpg.Connection) -> Plan:
        await existing_person(conn, org, person_id)
        decision = c.PersonRenamed(
            person_id=person_id, display_name=body.display_name, **who.decided(body.reason)
        )
        return Plan(decision, {})

    return await writes(request).decide(who, plan, answer_person(org, person_id), 200)


@router.post("/{person_id}/identities", response_class=MsgspecResponse,
             responses={**ok(Person), **WRITE_PROBLEMS})  # fmt: skip
async def link_identity(
    person_id: PersonId, body: LinkIdentity, who: Decider, request: Request
) -> Response:
    """A platform identity becomes this person's; 409 naming its owner if it is another's."""
    org = who.who.org_id

    async def plan(conn: asyncpg.Connection) -> Plan:
        await existing_person(conn, org, person_id)
        free = unowned(await known(conn, org, [body.identity_id]), person_id)
        decision = c.IdentityLinked(
            person_id=person_id, identity_id=body.identity_id, **who.decided(body.reason)
        )
        return Plan(decision if free else None, {body.identity_id: person_id})

    return await writes(request).decide(who, plan, answer_person(org, person_id), 200)


@router.delete("/{person_id}/identities/{identity_id}", response_class=MsgspecResponse,
               responses={**ok(Person), **WRITE_PROBLEMS})  # fmt: skip
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
        person = await existing_person(conn, org, person_id)
        if identity_id not in {i.identity_id for i in person.identities}:
            raise ApiProblem(404, "Not Found", f"{identity_id} is not this person's")
        decision = c.IdentityUnlinked(
            person_id=person_id, identity_id=identity_id, **who.decided(reason)
        )
        return Plan(decision, {})

    return await writes(request).decide(who, plan, answer_person(org, person_id), 200)


@router.post("/{person_id}/split", status_code=201, response_class=MsgspecResponse,
             responses={**ok(Person, "Created"), **WRITE_PROBLEMS})  # fmt: skip
async def split(person_id: PersonId, body: Split, who: Decider, request: Request) -> Response:
    """Some of a person's identities leave for a new person (answered)."""
    org, new = who.who.org_id, uuid.uuid4()
    ids = list(dict.fromkeys(body.identity_ids))

    async def plan(conn: asyncpg.Connection) -> Plan:
        person = await existing_person(conn, org, person_id)
        theirs = {i.identity_id for i in person.identities}
        others = [i for i in ids if i not in theirs]
        if others:
            raise ApiProblem(422, "Invalid request", f"not this person's: {', '.join(others)}")
        decision = c.PersonSplit(
            person_id=person_id, new_person_id=new, display_name=body.display_name,
            identity_ids=ids, **who.decided(body.reason),
        )  # fmt: skip
        return Plan(decision, dict.fromkeys(ids, new))

    return await writes(request).decide(who, plan, answer_person(org, new), 201)
