"""People read from the people tables, under the caller's tenant (RLS): the people with their
platform identities, the unmapped identities, the suggestions, a person's activity and the
history of decisions about them (docs/PEOPLE.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

import asyncpg
import msgspec
from fastapi import APIRouter, Depends, Path
from starlette.responses import Response

from query_api.days import Days
from query_api.deps import ANY_ROLE, CurrentUser, TenantConn, require_role
from query_api.listing import Cursor, ExportCsv, Limit, csv_response, decode_cursor, page_of
from query_api.people_queries import (
    IDENTITY_COLUMNS,
    PERSON_COLUMNS,
    SEARCH,
    PeopleSearch,
    identity_of,
    person_detail,
    person_of,
)
from query_api.people_queries import (
    one_person as person_of_id,
)
from query_api.problems import ApiProblem
from query_api.routes.drivers import Search
from query_api.routes.overview import drivers_figures
from query_api.schemas import MsgspecResponse, ok, problems
from query_api.schemas_people import (
    IdentityPage,
    Person,
    PersonActivity,
    PersonDecision,
    PersonDetail,
    PersonHistory,
    PersonIdentity,
    PersonPage,
    Suggestion,
    SuggestionPage,
)

router = APIRouter(prefix="/people", tags=["people"], dependencies=[Depends(ANY_ROLE)])
HISTORY_ROLES = require_role("admin", "manager", "auditor")
T = TypeVar("T", bound=msgspec.Struct)

PersonId = Annotated[UUID, Path()]


def _list_sql(searching: bool, after: bool) -> str:
    """People by name: $1 the org, $2-$6 the search (when searching), then the limit and
    the key to start after."""
    n = 6 if searching else 1
    where = "p.org_id = $1" + (f" AND {SEARCH}" if searching else "")
    if after:
        where += f" AND (p.display_name, p.person_id) > (${n + 2}, ${n + 3})"
    return (
        f"SELECT {PERSON_COLUMNS} FROM people p WHERE {where} "  # noqa: S608 (constants only)
        f"ORDER BY p.display_name, p.person_id LIMIT ${n + 1}"
    )


_LIST = {(s, a): _list_sql(s, a) for s in (False, True) for a in (False, True)}


@router.get(
    "", response_class=MsgspecResponse,
    responses={**ok(PersonPage, csv=True), **problems(400, 401, 403, 422)},
)  # fmt: skip
async def list_people(
    who: CurrentUser,
    conn: TenantConn,
    csv: ExportCsv,
    limit: Limit = 50,
    cursor: Cursor = None,
    q: Search = None,
) -> Response:
    """People of the caller's fleet by name, each with their Uber and Bolt identities.

    ``q`` finds a person by any identity's phone (any written form), e-mail, plate or name
    (accents and case ignored), or by the person's own name.
    """
    search = PeopleSearch.of(q).args() if q and q.strip() else ()
    sql = _LIST[bool(search), bool(cursor) and not csv]
    if csv:
        args = (who.org_id, *search, None)
        return csv_response(conn, sql, args, person_of, Person, "people.csv")
    key = decode_cursor(cursor, tuple[str, UUID]) if cursor else ()
    rows = await conn.fetch(sql, who.org_id, *search, limit + 1, *key)
    items, next_cursor = page_of(
        rows, limit, person_of, lambda r: (r["display_name"], str(r["person_id"]))
    )
    return MsgspecResponse(PersonPage(items=items, next_cursor=next_cursor))


_UNMAPPED = f"""
SELECT {IDENTITY_COLUMNS} FROM people_identities i
WHERE i.org_id = $1 AND i.person_id IS NULL AND i.identity_id > $2
ORDER BY i.identity_id LIMIT $3
"""  # noqa: S608 (constants only)


@dataclass(frozen=True)
class _Keyset(Generic[T]):
    """A list read by one statement — ``$1`` the org, then the key to start after, then the
    limit — by keyset pages or, as CSV, whole from ``first`` (the key before every row)."""

    sql: str
    first: tuple[object, ...]
    key_type: Any
    to_item: Callable[[asyncpg.Record], T]
    item_type: type[T]
    page_type: Callable[..., msgspec.Struct]
    key_of: Callable[[asyncpg.Record], tuple[object, ...]]
    filename: str

    async def respond(
        self, conn: asyncpg.Connection, org: UUID, csv: bool, cursor: str | None, limit: int
    ) -> Response:
        if csv:
            args = (org, *self.first, None)
            return csv_response(conn, self.sql, args, self.to_item, self.item_type, self.filename)
        key = decode_cursor(cursor, self.key_type) if cursor else self.first
        rows = await conn.fetch(self.sql, org, *key, limit + 1)
        items, next_cursor = page_of(rows, limit, self.to_item, self.key_of)
        return MsgspecResponse(self.page_type(items=items, next_cursor=next_cursor))


_UNMAPPED_LIST = _Keyset(
    _UNMAPPED, ("",), tuple[str], identity_of, PersonIdentity, IdentityPage,
    lambda r: (r["identity_id"],), "unmapped.csv",
)  # fmt: skip


@router.get(
    "/unmapped", response_class=MsgspecResponse,
    responses={**ok(IdentityPage, csv=True), **problems(400, 401, 403, 422)},
)  # fmt: skip
async def unmapped(
    who: CurrentUser, conn: TenantConn, csv: ExportCsv, limit: Limit = 50, cursor: Cursor = None
) -> Response:
    """Platform drivers no person owns yet (the queue managers work through), by id."""
    return await _UNMAPPED_LIST.respond(conn, who.org_id, csv, cursor, limit)


def _side(alias: str, column: str) -> str:
    return (
        f"(SELECT row_to_json(x) FROM (SELECT {IDENTITY_COLUMNS} FROM people_identities i "  # noqa: S608
        f"WHERE i.org_id = s.org_id AND i.identity_id = s.{column}) x) AS {alias}"
    )


# Strongest first: score descending, then the id ascending (the keyset's two directions).
_SUGGESTIONS = f"""
SELECT s.suggestion_id, s.score, s.reasons, s.created_at,
       {_side("identity", "identity_id")}, {_side("other", "other_identity_id")}
FROM people_suggestions s
WHERE s.org_id = $1 AND (s.score < $2 OR (s.score = $2 AND s.suggestion_id > $3))
ORDER BY s.score DESC, s.suggestion_id LIMIT $4
"""  # noqa: S608 (constants only)
_NIL = UUID(int=0)


def _suggestion(row: asyncpg.Record) -> Suggestion:
    return Suggestion(
        suggestion_id=row["suggestion_id"],
        score=row["score"],
        reasons=list(row["reasons"]),
        identity=msgspec.json.decode(row["identity"], type=PersonIdentity),
        other=msgspec.json.decode(row["other"], type=PersonIdentity),
        created_at=row["created_at"],
    )


_SUGGESTION_LIST = _Keyset(
    _SUGGESTIONS, (1_000, _NIL), tuple[int, UUID], _suggestion, Suggestion, SuggestionPage,
    lambda r: (r["score"], str(r["suggestion_id"])), "suggestions.csv",
)  # fmt: skip


@router.get(
    "/suggestions", response_class=MsgspecResponse,
    responses={**ok(SuggestionPage, csv=True), **problems(400, 401, 403, 422)},
)  # fmt: skip
async def suggestions(
    who: CurrentUser, conn: TenantConn, csv: ExportCsv, limit: Limit = 50, cursor: Cursor = None
) -> Response:
    """Pairs of identities that may be one person, strongest first, with their reasons."""
    return await _SUGGESTION_LIST.respond(conn, who.org_id, csv, cursor, limit)


@router.get(
    "/{person_id}", response_class=MsgspecResponse,
    responses={**ok(PersonDetail), **problems(401, 403, 404, 422)},
)  # fmt: skip
async def one_person(person_id: PersonId, who: CurrentUser, conn: TenantConn) -> MsgspecResponse:
    """A person, their identities on each platform and the vehicles those drive."""
    return MsgspecResponse(await _detail(conn, who.org_id, person_id))


async def _detail(conn: asyncpg.Connection, org: UUID, person_id: UUID) -> PersonDetail:
    detail = await person_detail(conn, org, person_id)
    if detail is None:
        raise ApiProblem(404, "Not Found", "no such person")
    return detail


@router.get(
    "/{person_id}/activity", response_class=MsgspecResponse,
    responses={**ok(PersonActivity), **problems(400, 401, 403, 404, 422)},
)  # fmt: skip
async def activity(
    person_id: PersonId, days: Days, who: CurrentUser, conn: TenantConn
) -> MsgspecResponse:
    """A person's Uber trips, hours online and on trip, and earnings; Bolt orders, gross,
    commission, net, tips, cash and in-app; summed over all their accounts, per Paris day
    (zeros where none) and over the days."""
    person = await person_of_id(conn, who.org_id, person_id)  # its identities; no vehicles
    if person is None:
        raise ApiProblem(404, "Not Found", "no such person")
    ids = {p: [i.driver_id for i in person.identities if i.provider == p] for p in ("uber", "bolt")}
    each, uber, bolt = await drivers_figures(conn, days, ids["uber"], ids["bolt"])
    return MsgspecResponse(PersonActivity(person_id, days.first, days.last, each, uber, bolt))


_HISTORY = """
SELECT position, seq, kind, person_ids, identity_ids, reasons, user_id, user_email, reason,
       request_id, idempotency_key, decided_at
FROM people_history
WHERE org_id = $1 AND person_ids @> ARRAY[$2::uuid] AND (position, seq) > ($3, $4)
ORDER BY position, seq LIMIT $5
"""


def _decision(row: asyncpg.Record) -> PersonDecision:
    return PersonDecision(**{f: row[f] for f in PersonDecision.__struct_fields__})


@router.get(
    "/{person_id}/history", response_class=MsgspecResponse,
    dependencies=[Depends(HISTORY_ROLES)],
    responses={**ok(PersonHistory), **problems(400, 401, 403, 404, 422)},
)  # fmt: skip
async def history(
    person_id: PersonId,
    who: CurrentUser,
    conn: TenantConn,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> MsgspecResponse:
    """Every decision about a person (who, when, why, from which request) and every
    automatic link, oldest first. Managers, admins and auditors."""
    position, seq = decode_cursor(cursor, tuple[int, int]) if cursor else (0, 0)
    rows = await conn.fetch(_HISTORY, who.org_id, person_id, position, seq, limit + 1)
    if not rows and not cursor:
        await _detail(conn, who.org_id, person_id)  # 404 for a person never known
    items, next_cursor = page_of(rows, limit, _decision, lambda r: (r["position"], r["seq"]))
    return MsgspecResponse(PersonHistory(items=items, next_cursor=next_cursor))
