"""Weekly settlements (docs/SETTLEMENTS.md): each person's pay, per platform, as a draft
computed when asked, then approved (frozen), paid, or cancelled. Decisions are events,
written through the people decision path (query_api/people_writes.py) with the settlements
projection: lock, Idempotency-Key, catch up to the log's head, check, append, apply, answer.

Roles: managers prepare and approve, admins do everything, viewers read, auditors read and
follow a line's sources to the providers' bytes.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Literal
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Header, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from contracts import settlement_decisions as d
from contracts.settlement import Rules, Scheme
from contracts.weeks import PROVIDERS, IsoWeek, WeekRules, WeekStart, week_of
from eventlog.coverage import coverage_of
from eventlog.store import head_position
from query_api.deps import ANY_ROLE, AnyUser, TenantConn, require_role
from query_api.kept_drafts import Keeper
from query_api.listing import NO_NUL
from query_api.people_checks import Decider, PersonId, existing_person
from query_api.people_writes import PeopleWrites, Plan
from query_api.problems import ApiProblem
from query_api.quality import platform_week
from query_api.routes.audit_events import events_at
from query_api.schemas import LineSources, MsgspecResponse, ok, problems
from query_api.schemas_settlements import (
    PayScheme,
    Settlement,
    SettlementPage,
    SettlementSummary,
)
from query_api.settlements import (
    GLOSSARY,
    ROUNDING,
    Week,
    incomplete_for,
    load_week,
    names_of,
    parse_settlement_id,
    schemes_of,
    settlement_id,
)

router = APIRouter(prefix="/settlements", tags=["settlements"])
schemes_router = APIRouter(prefix="/people", tags=["settlements"])
SOURCE_ROLES = require_role("admin", "manager", "auditor")

WRITE_PROBLEMS = problems(400, 401, 403, 404, 409, 422, 503)
WeekParam = Annotated[
    str | None,
    Query(pattern=r"^\d{4}-W\d{2}$", description="ISO week (YYYY-Www); by default this week"),
]
SettlementId = Annotated[
    str,
    Path(max_length=60, pattern=r"^\d{4}-W\d{2}_[0-9a-fA-F-]{36}$",
         description="<week>_<person id>, e.g. 2026-W10_6f1c…"),
]  # fmt: skip
Text = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
Reason = Annotated[str, Field(min_length=1, max_length=500, pattern=NO_NUL)]
WeekText = Annotated[str, Field(pattern=r"^\d{4}-W\d{2}$")]


def _rules(request: Request) -> Rules:
    rules: Rules = request.app.state.settlement_rules
    return rules


def keeper(request: Request) -> Keeper:
    """The app's keeper of drafts (docs/SETTLEMENTS.md, "Kept drafts")."""
    found: Keeper = request.app.state.draft_keeper
    return found


def _writes(request: Request) -> PeopleWrites:
    writes: PeopleWrites = request.app.state.settlement_writes
    return writes


def _week(text: str | None) -> IsoWeek:
    if text is None:
        return week_of(datetime.now(UTC), WeekStart())  # the Paris calendar's week
    try:
        return IsoWeek.parse(text)
    except ValueError as exc:
        raise ApiProblem(400, "Bad Request", str(exc)) from exc


def _id(text: str) -> tuple[IsoWeek, UUID]:
    try:
        return parse_settlement_id(text)
    except ValueError as exc:
        raise ApiProblem(404, "Not Found", "no such settlement") from exc


async def complete(
    conn: asyncpg.Connection, org: UUID, rules: WeekRules, week: IsoWeek
) -> dict[str, bool]:
    """Each platform's week complete or not (the /quality/weeks rule, docs/QUALITY.md)."""
    now = datetime.now(UTC)
    out: dict[str, bool] = {}
    for provider in PROVIDERS:
        bounds = rules.bounds(provider, week)
        found = await coverage_of(conn, org, bounds[0], max(min(bounds[1], now), bounds[0]))
        out[provider] = platform_week(provider, bounds, rules.settling, found, now).status == (
            "complet"
        )
    return out


def _status(found: Week, person: UUID) -> str:
    stored = found.stored.get(person)
    return "draft" if stored is None else stored.status


def _settlement(found: Week, person: UUID, platforms: dict[str, bool]) -> Settlement:
    stored = found.stored.get(person)
    row = stored.row if stored is not None else None
    status = _status(found, person)
    statement = found.statement(person) if status != "cancelled" else found.draft(person)

    def col(name: str) -> object:
        return None if row is None else row[name]

    return Settlement(
        settlement_id=settlement_id(person, found.week),
        person_id=person,
        display_name=found.names[person],
        week=str(found.week),
        status=status,
        statement=statement,
        digest=statement.digest() if statement is not None else None,
        incomplete=list(col("incomplete") or [])  # type: ignore[call-overload]
        if status in ("approved", "paid")
        else incomplete_for(platforms, found.identities.get(person, [])),
        computed_at=col("computed_at"),  # type: ignore[arg-type]
        override_reason=col("override_reason"),  # type: ignore[arg-type]
        approved_by=col("approved_by"),  # type: ignore[arg-type]
        approved_at=col("approved_at"),  # type: ignore[arg-type]
        paid_on=col("paid_on"),  # type: ignore[arg-type]
        transfer_reference=col("transfer_reference"),  # type: ignore[arg-type]
        cancel_reason=col("cancel_reason"),  # type: ignore[arg-type]
        glossary={p: dict(g) for p, g in GLOSSARY.items()},
        rounding=ROUNDING,
    )


async def _one(
    conn: asyncpg.Connection, request: Request, org: UUID, week: IsoWeek, person: UUID,
    keeper: Keeper | None = None,
) -> tuple[Week, Settlement]:  # fmt: skip
    """The person's week; ``keeper``: kept drafts are used and kept (a read, not a decision:
    a decision's transaction computes the draft it checks against If-Match)."""
    found = await load_week(conn, org, _rules(request), week, [person], keeper=keeper)
    if person not in found.names:
        raise ApiProblem(404, "Not Found", "no such settlement")
    platforms = await complete(conn, org, request.app.state.weeks, week)
    return found, _settlement(found, person, platforms)


@router.get("", response_class=MsgspecResponse, dependencies=[Depends(ANY_ROLE)],
            responses={**ok(SettlementPage), **problems(400, 401, 403, 422)})  # fmt: skip
async def list_settlements(
    request: Request, conn: TenantConn, who: AnyUser, week: WeekParam = None,
    status: Annotated[Literal["draft", "approved", "paid", "cancelled"] | None, Query()] = None,
    incomplete: Annotated[bool | None, Query(description="only weeks incomplete (true) or complete (false)")] = None,  # noqa: E501
    negative: Annotated[bool | None, Query(description="only negative balances (true) or the others")] = None,  # noqa: E501
) -> Response:  # fmt: skip
    """Every person's week: a draft (computed now) or its approved, paid or cancelled state,
    with its balance in cents and the person's platforms whose week is incomplete."""
    asked = _week(week)
    platforms = await complete(conn, who.org_id, request.app.state.weeks, asked)
    variant = (status, incomplete, negative, tuple(sorted(platforms.items())))

    async def build() -> bytes:
        page = await _page(request, conn, who.org_id, asked, platforms, status, incomplete,
                           negative)  # fmt: skip
        return bytes(MsgspecResponse(page).body)

    body = await keeper(request).page(conn, who.org_id, asked, _rules(request), variant, build)
    return Response(body, media_type=MsgspecResponse.media_type)


async def _page(
    request: Request, conn: asyncpg.Connection, org: UUID, asked: IsoWeek,
    platforms: dict[str, bool], status: str | None, incomplete: bool | None,
    negative: bool | None,
) -> SettlementPage:  # fmt: skip
    """The week's list, filtered (see list_settlements)."""
    found = await load_week(conn, org, _rules(request), asked, keeper=keeper(request),
                            statements=False)  # fmt: skip
    items = []
    for person, name in found.names.items():
        balance, per, other = found.summary(person)
        missing = incomplete_for(platforms, found.identities.get(person, []))
        item = SettlementSummary(settlement_id(person, asked), person, name, str(asked),
                                 _status(found, person), balance, missing, per,
                                 other)  # fmt: skip
        if status is not None and item.status != status:
            continue
        if incomplete is not None and bool(missing) != incomplete:
            continue
        if negative is not None and (balance < 0) != negative:
            continue
        items.append(item)
    return SettlementPage(str(asked), items)


@router.get("/{settlement_id}", response_class=MsgspecResponse,
            dependencies=[Depends(ANY_ROLE)],
            responses={**ok(Settlement), **problems(400, 401, 403, 404, 422)})  # fmt: skip
async def get_settlement(
    settlement_id: SettlementId, request: Request, conn: TenantConn, who: AnyUser
) -> Response:
    """A person's week, with the ETag an approval must send back in If-Match."""
    week, person = _id(settlement_id)
    _, found = await _one(conn, request, who.org_id, week, person, keeper(request))
    response = MsgspecResponse(found)
    if found.digest is not None:
        response.headers["ETag"] = f'"{found.digest}"'
    return response


class Approve(BaseModel):
    override_reason: Reason | None = Field(
        default=None, description="Required when a platform's week is incomplete"
    )


def _answer(request: Request, org: UUID, week: IsoWeek, person: UUID):  # type: ignore[no-untyped-def]
    async def answer(conn: asyncpg.Connection) -> Settlement:
        return (await _one(conn, request, org, week, person))[1]

    return answer


@router.post("/{settlement_id}/approve", response_class=MsgspecResponse,
             responses={**ok(Settlement), **WRITE_PROBLEMS, **problems(428)})  # fmt: skip
async def approve(
    settlement_id: SettlementId, body: Approve, who: Decider, request: Request,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=100)] = None,
) -> Response:  # fmt: skip
    """Freeze the draft as shown: If-Match must repeat its ETag (428 without it, 409 when the
    draft changed since). An incomplete week needs ``override_reason`` (422 without)."""
    week, person = _id(settlement_id)
    org = who.who.org_id
    if if_match is None:
        raise ApiProblem(428, "Precondition Required", "send the draft's ETag in If-Match")

    async def plan(conn: asyncpg.Connection) -> Plan:
        _, shown = await _one(conn, request, org, week, person)
        if shown.status in ("approved", "paid"):
            raise ApiProblem(409, "Conflict", f"this week is already {shown.status}")
        if shown.statement is None or f'"{shown.digest}"' != if_match.strip().removeprefix("W/"):
            raise ApiProblem(409, "Conflict", "the draft changed since it was shown: reload it")
        if shown.incomplete and body.override_reason is None:
            raise ApiProblem(422, "Invalid request",
                             f"incomplete week ({', '.join(shown.incomplete)}): give override_reason")  # fmt: skip  # noqa: E501
        decision = d.Approved(
            settlement_id=shown.settlement_id, person_id=person, week=str(week),
            statement=shown.statement, digest=shown.digest or "",
            position=await head_position(conn), incomplete=tuple(shown.incomplete),
            override_reason=body.override_reason, **who.decided(body.override_reason),
        )  # fmt: skip
        return Plan(decision, {})

    return await _writes(request).decide(who, plan, _answer(request, org, week, person), 200)


class Pay(BaseModel):
    paid_on: date
    transfer_reference: Text


@router.post("/{settlement_id}/pay", response_class=MsgspecResponse,
             responses={**ok(Settlement), **WRITE_PROBLEMS})  # fmt: skip
async def pay(settlement_id: SettlementId, body: Pay, who: Decider, request: Request) -> Response:
    """An approved week paid: the date and the transfer's reference (409 unless approved)."""
    week, person = _id(settlement_id)
    org = who.who.org_id

    async def plan(conn: asyncpg.Connection) -> Plan:
        _, shown = await _one(conn, request, org, week, person)
        if shown.status != "approved":
            raise ApiProblem(
                409, "Conflict", f"only an approved week is paid; it is {shown.status}"
            )
        decision = d.Paid(
            settlement_id=shown.settlement_id, paid_on=body.paid_on,
            transfer_reference=body.transfer_reference, **who.decided(None),
        )  # fmt: skip
        return Plan(decision, {})

    return await _writes(request).decide(who, plan, _answer(request, org, week, person), 200)


class Cancel(BaseModel):
    reason: Reason


@router.post("/{settlement_id}/cancel", response_class=MsgspecResponse,
             responses={**ok(Settlement), **WRITE_PROBLEMS})  # fmt: skip
async def cancel(
    settlement_id: SettlementId, body: Cancel, who: Decider, request: Request
) -> Response:
    """A draft or approved week set aside, with its reason (409 once paid or cancelled)."""
    week, person = _id(settlement_id)
    org = who.who.org_id

    async def plan(conn: asyncpg.Connection) -> Plan:
        _, shown = await _one(conn, request, org, week, person)
        if shown.status in ("paid", "cancelled"):
            raise ApiProblem(409, "Conflict", f"this week is already {shown.status}")
        decision = d.Cancelled(settlement_id=shown.settlement_id, person_id=person,
                               week=str(week), **who.decided(body.reason))  # fmt: skip
        return Plan(decision, {})

    return await _writes(request).decide(who, plan, _answer(request, org, week, person), 200)


class NewLine(BaseModel):
    kind: Literal["recurring", "one_off"]
    category: Literal["rent", "deposit", "insurance", "fuel", "tolls", "fines", "damage",
                      "advance", "bonus", "other"]  # fmt: skip
    label: Text
    amount: int = Field(ge=-10_000_000, le=10_000_000, description="Cents; negative: owed")
    last_week: WeekText | None = Field(default=None, description="Recurring: the last week")
    receipt: Text | None = None


@router.post("/{settlement_id}/lines", status_code=201, response_class=MsgspecResponse,
             responses={**ok(Settlement, "Created"), **WRITE_PROBLEMS})  # fmt: skip
async def add_line(
    settlement_id: SettlementId, body: NewLine, who: Decider, request: Request
) -> Response:
    """A line from this week on: one-off (this week only) or recurring (to ``last_week``, or
    until removed). 409 when this week is approved or paid."""
    week, person = _id(settlement_id)
    org = who.who.org_id
    if body.last_week is not None and (
        body.kind == "one_off" or IsoWeek.parse(body.last_week).monday() < week.monday()
    ):
        raise ApiProblem(422, "Invalid request", "last_week: recurring, and not before the week")

    async def plan(conn: asyncpg.Connection) -> Plan:
        await _open(conn, request, org, week, person)
        decision = d.LineAdded(
            line_id=uuid.uuid4(), person_id=person, kind=body.kind, category=body.category,
            label=body.label, amount=body.amount, week=str(week), last_week=body.last_week,
            receipt=body.receipt, **who.decided(None),
        )  # fmt: skip
        return Plan(decision, {})

    return await _writes(request).decide(who, plan, _answer(request, org, week, person), 201)


async def _open(
    conn: asyncpg.Connection, request: Request, org: UUID, week: IsoWeek, person: UUID
) -> Settlement:
    _, shown = await _one(conn, request, org, week, person)
    if shown.status in ("approved", "paid"):
        raise ApiProblem(409, "Conflict", f"this week is {shown.status}: its lines are frozen")
    return shown


@router.delete("/{settlement_id}/lines/{line_id}", response_class=MsgspecResponse,
               responses={**ok(Settlement), **WRITE_PROBLEMS})  # fmt: skip
async def remove_line(
    settlement_id: SettlementId, line_id: Annotated[UUID, Path()], who: Decider,
    request: Request,
) -> Response:  # fmt: skip
    """The line stops counting in every week not yet approved (404: not a manager's line of
    this week's draft; 409: the week is approved or paid)."""
    week, person = _id(settlement_id)
    org = who.who.org_id

    async def plan(conn: asyncpg.Connection) -> Plan:
        shown = await _open(conn, request, org, week, person)
        lines = shown.statement.lines if shown.statement is not None else []
        if not any(x.line_id == str(line_id) and x.kind in ("recurring", "one_off") for x in lines):
            raise ApiProblem(404, "Not Found", "no such line in this week")
        return Plan(d.LineRemoved(line_id=line_id, person_id=person, **who.decided(None)), {})

    return await _writes(request).decide(who, plan, _answer(request, org, week, person), 200)


@router.get("/{settlement_id}/lines/{line_id}/sources", response_class=MsgspecResponse,
            dependencies=[Depends(SOURCE_ROLES)],
            responses={**ok(LineSources), **problems(400, 401, 403, 404, 422)})  # fmt: skip
async def line_sources(
    settlement_id: SettlementId,
    line_id: Annotated[str, Path(max_length=120, pattern=NO_NUL)],
    request: Request, conn: TenantConn, who: AnyUser,
) -> MsgspecResponse:  # fmt: skip
    """The events a line came from, each with the provider's exact bytes and the call that
    fetched them (a decision's event for a manager's line or a carried balance)."""
    week, person = _id(settlement_id)
    _, found = await _one(conn, request, who.org_id, week, person, keeper(request))
    lines = found.statement.lines if found.statement is not None else []
    line = next((x for x in lines if x.line_id == line_id), None)
    if line is None:
        raise ApiProblem(404, "Not Found", "no such line in this settlement")
    events = await events_at(conn, list(line.sources))
    return MsgspecResponse(LineSources(settlement_id, line, events))


class SchemeBody(BaseModel):
    kind: Literal["salaried", "rental", "split"]
    effective_week: WeekText = Field(description="The first week it applies to")
    rent: int = Field(default=0, ge=0, le=10_000_000)
    km_included: int = Field(default=0, ge=0, le=100_000)
    km_rate: int = Field(default=0, ge=0, le=10_000)
    fleet_share: int = Field(default=0, ge=0, le=10_000, description="Basis points")
    mode: Literal["direct", "inclusive"] = "direct"
    tips_to_driver: int = Field(default=10_000, ge=0, le=10_000, description="Basis points")


async def _scheme(conn: asyncpg.Connection, request: Request, org: UUID, person: UUID) -> PayScheme:
    week = _week(None)
    if person not in await names_of(conn, org, [person]):
        raise ApiProblem(404, "Not Found", "no such person")
    schemes = await schemes_of(conn, org, week, [person])
    scheme, since = schemes.get(person, (_rules(request).default_scheme, None))
    return PayScheme(person, scheme, str(since) if since else None, since is None)


@schemes_router.get("/{person_id}/pay-scheme", response_class=MsgspecResponse,
                    dependencies=[Depends(ANY_ROLE)],
                    responses={**ok(PayScheme), **problems(400, 401, 403, 404, 422)})  # fmt: skip
async def get_pay_scheme(
    person_id: PersonId, request: Request, conn: TenantConn, who: AnyUser
) -> MsgspecResponse:
    """The scheme in force this week (the org's default when the person has none)."""
    return MsgspecResponse(await _scheme(conn, request, who.org_id, person_id))


@schemes_router.put("/{person_id}/pay-scheme", response_class=MsgspecResponse,
                    responses={**ok(PayScheme), **WRITE_PROBLEMS})  # fmt: skip
async def put_pay_scheme(
    person_id: PersonId, body: SchemeBody, who: Decider, request: Request
) -> Response:
    """The person's scheme from ``effective_week`` on; approved weeks keep theirs."""
    org = who.who.org_id
    fields = body.model_dump(exclude={"effective_week"})
    scheme = Scheme(**fields)

    async def plan(conn: asyncpg.Connection) -> Plan:
        await existing_person(conn, org, person_id)
        decision = d.SchemeSet(person_id=person_id, effective_week=body.effective_week,
                               scheme=scheme, **who.decided(None))  # fmt: skip
        return Plan(decision, {})

    async def answer(conn: asyncpg.Connection) -> PayScheme:
        return await _scheme(conn, request, org, person_id)

    return await _writes(request).decide(who, plan, answer, 200)
