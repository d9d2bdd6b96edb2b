"""What every people decision route shares: the caller and its request, and the checks a
decision makes before it is appended (404, 409 naming the owner, 422).

The checks read the people tables on the decision's connection — the writer's, at the log's
head (query_api/people_writes.py) — naming the caller's org in every statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import Depends, Header, Path, Request
from pydantic import BaseModel, Field

from query_api.deps import require_role
from query_api.listing import NO_NUL
from query_api.people_queries import one_person
from query_api.people_writes import Caller, Owner, PeopleWrites, conflict, owners, request_hash
from query_api.problems import ApiProblem
from query_api.schemas import problems
from query_api.schemas_people import Person
from query_api.security import Principal

DECIDERS = require_role("admin", "manager")

Reason = Annotated[str | None, Field(default=None, max_length=500, pattern=NO_NUL)]


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
WRITE_PROBLEMS = {**problems(400, 401, 403, 404, 409, 422, 503)}


def writes(request: Request) -> PeopleWrites:
    """The decision path the app built in its lifespan."""
    writes: PeopleWrites = request.app.state.people_writes
    return writes


async def known(conn: asyncpg.Connection, org: UUID, ids: list[str]) -> dict[str, Owner]:
    """The identities of ``ids``, each of which must exist in the caller's fleet (422)."""
    found = await owners(conn, org, ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise ApiProblem(422, "Unknown identity", f"no such identity: {', '.join(missing)}")
    return found


def unowned(found: dict[str, Owner], person: UUID | None = None) -> list[str]:
    """The identities not yet ``person``'s; 409 naming the owner of any that is another's."""
    for owner in found.values():
        if owner.person_id is not None and owner.person_id != person:
            raise conflict(owner)
    return [i for i, owner in found.items() if owner.person_id is None]


async def existing_person(conn: asyncpg.Connection, org: UUID, person_id: UUID) -> Person:
    """The person, or a 404 problem."""
    person = await one_person(conn, org, person_id)
    if person is None:
        raise ApiProblem(404, "Not Found", "no such person")
    return person


def answer_person(org: UUID, person_id: UUID) -> Callable[[asyncpg.Connection], Awaitable[Person]]:
    """The answer of a decision: the person as it now is."""

    async def answer(conn: asyncpg.Connection) -> Person:
        return await existing_person(conn, org, person_id)

    return answer


async def name_of(conn: asyncpg.Connection, org: UUID, identity: str) -> str:
    """The name a new person takes from one of its identities."""
    row = await conn.fetchrow(
        "SELECT first_name, last_name FROM people_identities WHERE org_id = $1 "
        "AND identity_id = $2",
        org,
        identity,
    )
    name = f"{row['first_name'] or ''} {row['last_name'] or ''}".strip() if row else ""
    return name or identity
