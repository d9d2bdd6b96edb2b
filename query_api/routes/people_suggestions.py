"""Managers' answers to suggestions (admins and managers): accept — the two identities are
one person — or reject — they are not, and the pair is never proposed again."""

from __future__ import annotations

import uuid
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from contracts import people as c
from query_api.people_checks import (
    DECIDERS,
    WRITE_PROBLEMS,
    Decider,
    Note,
    existing_person,
    known,
    name_of,
    writes,
)
from query_api.people_writes import DecidedFields, Owner, Plan
from query_api.problems import ApiProblem
from query_api.schemas import MsgspecResponse, ok
from query_api.schemas_people import Person

router = APIRouter(prefix="/people", tags=["people"], dependencies=[Depends(DECIDERS)])


@router.post("/suggestions/{suggestion_id}/accept", response_class=MsgspecResponse,
             responses={**ok(Person), **WRITE_PROBLEMS})  # fmt: skip
async def accept_suggestion(
    suggestion_id: Annotated[UUID, Path()], body: Note, who: Decider, request: Request
) -> Response:
    """The suggestion's two identities are one person: link the unmapped one to the other's
    person, make a new person of both, or merge their two people. Answers that person."""
    org = who.who.org_id
    kept: list[UUID] = []

    async def plan(conn: asyncpg.Connection) -> Plan:
        pair = await _suggested(conn, org, suggestion_id)
        found = await known(conn, org, pair)
        name = await name_of(conn, org, pair[0])
        decision, person = _accepting(
            suggestion_id, [found[i] for i in pair], name, who.decided(body.reason)
        )
        kept.append(person)
        return Plan(decision, dict.fromkeys(pair, person))

    async def answer(conn: asyncpg.Connection) -> Person:
        return await existing_person(conn, org, kept[0])

    return await writes(request).decide(who, plan, answer, 200)


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
             responses={204: {"description": "Rejected"}, **WRITE_PROBLEMS})  # fmt: skip
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

    return await writes(request).decide(who, plan, nothing, 204)
