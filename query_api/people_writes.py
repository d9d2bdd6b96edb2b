"""Managers' decisions about people: checked at the log's head, appended, applied, answered.

Why decisions use the writer's pool
-----------------------------------
A decision must be checked against state that cannot lag the log ("this Bolt driver is
nobody's"), and the next GET must show it. The people tables are a projection, so the
API's own role could only read them as far as the projector got. Here, in one transaction
on the writer's connection (``fleet_writer``), the decision:

1. locks the people projection's checkpoint row (``FOR UPDATE``): decisions run one at a
   time, and the projector waits for this one (projector/checkpoints.py);
2. answers again the stored response of a repeated ``Idempotency-Key`` (``people_requests``);
3. brings the people projection up to the head of the log (``advance``): what it checks is
   the state after every event, not after the projector's last batch;
4. checks the request (404, 409 naming the owner, 422) and builds the decision event;
5. appends it through the log's append path (eventlog/decisions.py) and applies it;
6. checks its effect: an observation appended between 3 and 5 may have linked the same
   driver automatically, and the fold then leaves the decision without effect — that is a
   409 too, and the transaction rolls back, decision and all;
7. stores the answer under the key, and commits.

Two managers linking one driver at once are thus serialised by the checkpoint lock: the
second sees the first's link at step 4 and gets a 409 naming that person. The answer is read
from the projection's tables in the same transaction: read-your-writes needs no wait.

The writer's role bypasses row-level security, so each statement here and in
query_api/people_queries.py names the caller's org (from the verified token) itself; the
pool is small and used by nothing but this module. The alternative, a SECURITY DEFINER
function appending for ``app.org_id``, could append but not run the projection's fold
(Python), so it could check only against a lagging table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypedDict
from uuid import UUID

import asyncpg
import msgspec
from starlette.responses import Response

from contracts import people
from eventlog.decisions import append_decision
from eventlog.store import head_position
from projector.checkpoints import lock_checkpoint
from projector.projection import Projection
from projector.projections.people import PeopleProjection
from projector.runner import advance
from query_api.problems import ApiProblem
from query_api.schemas import MsgspecResponse
from query_api.security import Principal

_ENCODER = msgspec.json.Encoder()
REPLAYED = "Idempotency-Replayed"
# How far behind the log the people projection may be for a decision to bring it up to date
# itself: a few seconds of the projector's work. Further behind (the projector down, or
# building a year of history), the decision waits for it instead.
MAX_BEHIND = 20_000


class DecidedFields(TypedDict):
    """The fields every decision shares (``contracts.people.Decided``)."""

    user_id: UUID
    user_email: str
    reason: str | None
    request_id: str | None
    idempotency_key: str | None


@dataclass(frozen=True)
class Caller:
    """Who asks, from which request, under which Idempotency-Key."""

    who: Principal
    request_id: str
    idempotency_key: str | None
    request_hash: bytes

    def decided(self, reason: str | None) -> DecidedFields:
        """The ``Decided`` fields of a decision made by this caller."""
        return {
            "user_id": self.who.user_id,
            "user_email": self.who.email,
            "reason": reason,
            "request_id": self.request_id,
            "idempotency_key": self.idempotency_key,
        }


def request_hash(method: str, path: str, body: bytes) -> bytes:
    """What a repeated request must match to reuse its Idempotency-Key (``path`` with its
    query: an unlink's reason travels there)."""
    return hashlib.sha256(b"\0".join((method.encode(), path.encode(), body))).digest()


@dataclass(frozen=True)
class Plan:
    """A decision to append (None: nothing to change) and the owners it must leave."""

    decision: people.Decided | None
    owners: Mapping[str, UUID]


Planner = Callable[[asyncpg.Connection], Awaitable[Plan]]
Answer = Callable[[asyncpg.Connection], Awaitable[msgspec.Struct | None]]

_STORED = (
    "SELECT request_hash, status, body FROM people_requests "
    "WHERE org_id = $1 AND idempotency_key = $2"
)
_STORE = (
    "INSERT INTO people_requests (org_id, idempotency_key, request_hash, status, body) "
    "VALUES ($1, $2, $3, $4, $5)"
)


class PeopleWrites:
    """The decision path (see the module docstring), on the writer's pool."""

    def __init__(self, pool: asyncpg.Pool, projection: Projection | None = None) -> None:
        """``projection``: the one the decisions feed (people by default; settlement
        decisions use this same path with the settlements projection)."""
        self._pool = pool
        self._projection: Projection = projection or PeopleProjection()

    async def decide(self, caller: Caller, plan: Planner, answer: Answer, status: int) -> Response:
        """Check, append and apply one decision; answer ``status`` with ``answer``'s body."""
        async with self._pool.acquire() as conn, conn.transaction():
            checkpoint = await lock_checkpoint(conn, self._projection.name)
            stored = await self._stored(conn, caller)
            if stored is not None:
                return stored
            await self._catch_up(conn, checkpoint)
            planned = await plan(conn)
            if planned.decision is not None:
                await self._append(conn, caller.who.org_id, planned.decision)
            await check_owners(conn, caller.who.org_id, planned.owners)
            body = await answer(conn)
            encoded = _ENCODER.encode(body) if body is not None else b""
            await self._store(conn, caller, status, encoded)
        return _response(status, encoded)

    async def _catch_up(self, conn: asyncpg.Connection, checkpoint: int) -> None:
        """Step 3; a 503 rather than a request that would apply a backlog (a first start)."""
        head = await head_position(conn)
        if head - checkpoint > MAX_BEHIND:
            raise ApiProblem(
                503, "Service Unavailable",
                f"{self._projection.name} are still being built; try again shortly",
                {"Retry-After": "30"},
            )  # fmt: skip
        await advance(conn, self._projection, head)

    async def _append(self, conn: asyncpg.Connection, org: UUID, decision: people.Decided) -> None:
        position = await append_decision(conn, org, decision, datetime.now(UTC))
        await advance(conn, self._projection, position)

    async def _stored(self, conn: asyncpg.Connection, caller: Caller) -> Response | None:
        if caller.idempotency_key is None:
            return None
        row = await conn.fetchrow(_STORED, caller.who.org_id, caller.idempotency_key)
        if row is None:
            return None
        if row["request_hash"] != caller.request_hash:
            raise ApiProblem(422, "Idempotency-Key reused", "this key was used for another request")
        return _response(row["status"], row["body"], {REPLAYED: "true"})

    async def _store(
        self, conn: asyncpg.Connection, caller: Caller, status: int, body: bytes
    ) -> None:
        if caller.idempotency_key is not None:
            await conn.execute(
                _STORE, caller.who.org_id, caller.idempotency_key, caller.request_hash, status, body
            )


def _response(status: int, body: bytes, headers: dict[str, str] | None = None) -> Response:
    if status == 204:
        return Response(status_code=204, headers=headers)
    return Response(
        body, status_code=status, media_type=MsgspecResponse.media_type, headers=headers
    )


_OWNERS = """
SELECT i.identity_id, i.person_id, p.display_name
FROM people_identities i LEFT JOIN people p ON p.org_id = i.org_id AND p.person_id = i.person_id
WHERE i.org_id = $1 AND i.identity_id = ANY($2::text[])
"""


@dataclass(frozen=True)
class Owner:
    """An identity of the caller's org, and the person it belongs to (if any)."""

    identity_id: str
    person_id: UUID | None
    display_name: str | None


async def owners(conn: asyncpg.Connection, org: UUID, ids: list[str]) -> dict[str, Owner]:
    """The identities of ``ids`` that exist in ``org``, with their owners."""
    rows = await conn.fetch(_OWNERS, org, ids)
    return {
        r["identity_id"]: Owner(r["identity_id"], r["person_id"], r["display_name"]) for r in rows
    }


def conflict(owner: Owner) -> ApiProblem:
    """409: the identity belongs to someone else (the problem names them)."""
    return ApiProblem(
        409,
        "Conflict",
        f"{owner.identity_id} belongs to {owner.display_name} ({owner.person_id})",
        errors=[
            {
                "identity_id": owner.identity_id,
                "person_id": str(owner.person_id),
                "display_name": owner.display_name,
            }
        ],
    )


async def check_owners(conn: asyncpg.Connection, org: UUID, expected: Mapping[str, UUID]) -> None:
    """409 unless each identity of ``expected`` belongs to its person (step 6)."""
    if not expected:
        return
    found = await owners(conn, org, list(expected))
    for identity, person in expected.items():
        owner = found.get(identity)
        if owner is not None and owner.person_id != person:
            raise conflict(owner)
