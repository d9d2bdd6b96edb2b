"""A settlement's PDF and a week's exports (docs/SETTLEMENTS.md, "Outputs"): one person's
statement as a PDF, the week's PDFs in a ZIP, the accountant's CSV and the payroll CSV.

Mounted before the settlements router: ``/settlements/export`` and ``/settlements/{id}.pdf``
would otherwise be read as a settlement id. Rendering is CPU work (about 35 ms a PDF), so it
runs in a worker thread and the event loop keeps serving other requests meanwhile; the
request gives its database connection back first (a week's ZIP takes a minute or more).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from contracts.weeks import PROVIDERS, IsoWeek, money_window
from query_api.deps import ANY_ROLE, AnyUser, TenantConn, release_connection
from query_api.payslip_exports import (
    ACCOUNTING_COLUMNS,
    PAYROLL_COLUMNS,
    accounting_row,
    is_salaried,
    payroll_row,
    to_csv,
    zip_chunks,
)
from query_api.payslip_pdf import Issuer, Payslip, render
from query_api.routes.settlements import (
    WeekParam,
    _id,
    _one,
    _rules,
    _settlement,
    _week,
    complete,
    keeper,
)
from query_api.schemas import problems
from query_api.schemas_settlements import Settlement
from query_api.settlement_rules import Company
from query_api.settlements import load_week

router = APIRouter(prefix="/settlements", tags=["settlements"])
PDF, ZIP, CSV = "application/pdf", "application/zip", "text/csv; charset=utf-8"
PdfId = Annotated[
    str,
    Path(max_length=60, pattern=r"^\d{4}-W\d{2}_[0-9a-fA-F-]{36}$",
         description="<week>_<person id>, without the .pdf"),
]  # fmt: skip
_LATEST = """
SELECT position, recorded_at FROM event_log WHERE org_id = $1 ORDER BY position DESC LIMIT 1
"""


def _file(description: str, *types: str) -> dict[int | str, dict[str, object]]:
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"description": description, "content": {t: binary for t in types}}}


async def _issuer(conn: asyncpg.Connection, company: Company, org: UUID) -> Issuer:
    name = company.name or await conn.fetchval("SELECT name FROM orgs WHERE org_id = $1", org)
    return Issuer(str(name or ""), company.siret)


class _Context:
    """What every PDF of one request shares: the issuer, the log's freshness, the windows."""

    def __init__(self, issuer: Issuer, latest: asyncpg.Record | None, request: Request) -> None:
        self.issuer = issuer
        self.position = int(latest["position"]) if latest else 0
        self.as_of: datetime | None = latest["recorded_at"] if latest else None
        self.rows = _rules(request).boundaries

    def slip(self, found: Settlement) -> Payslip:
        week = IsoWeek.parse(found.week)
        windows: dict[str, tuple[datetime, datetime]] = {
            p: money_window(self.rows, p, week) for p in PROVIDERS
        }
        return Payslip(found, self.issuer, windows, self.as_of, self.position)


async def _context(conn: asyncpg.Connection, request: Request, org: UUID) -> _Context:
    issuer = await _issuer(conn, request.app.state.company, org)
    return _Context(issuer, await conn.fetchrow(_LATEST, org), request)


def _named(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def _attachment(body: bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers=_named(filename))


@router.get("/export", dependencies=[Depends(ANY_ROLE)],
            responses={**_file("csv: the accountant's CSV, one row per person; payroll: the "
                               "salaried drivers' CSV; zip: every person's statement as a PDF",
                               "text/csv", ZIP),
                       **problems(400, 401, 403, 422)})  # fmt: skip
async def export_week(
    request: Request, conn: TenantConn, who: AnyUser, week: WeekParam = None,
    format: Annotated[Literal["csv", "zip", "payroll"], Query(description="csv, zip or payroll")] = "csv",  # noqa: E501
) -> Response:  # fmt: skip
    """A week's settlements as files: ``csv`` one row per person (stable columns, new ones
    at the end), ``payroll`` the salaried drivers' revenue, trips and hours, ``zip`` every
    person's statement as a PDF."""
    asked = _week(week)
    found = await load_week(conn, who.org_id, _rules(request), asked, keeper=keeper(request))
    platforms = await complete(conn, who.org_id, request.app.state.weeks, asked)
    everyone = [_settlement(found, person, platforms) for person in found.names]
    if format == "csv":
        body = to_csv(ACCOUNTING_COLUMNS, map(accounting_row, everyone))
        return _attachment(body, CSV, f"releves-{asked}.csv")
    if format == "payroll":
        salaried = filter(is_salaried, everyone)
        return _attachment(to_csv(PAYROLL_COLUMNS, map(payroll_row, salaried)), CSV,
                           f"paie-{asked}.csv")  # fmt: skip
    context = await _context(conn, request, who.org_id)
    await release_connection(request)  # the ZIP takes minutes for a big fleet: not holding it
    # Streamed: each PDF is rendered (in a worker thread, as Starlette iterates a plain
    # iterator) and sent before the next, so memory holds one PDF, not the week's.
    slips = (context.slip(s) for s in everyone)
    return StreamingResponse(
        zip_chunks(slips), media_type=ZIP, headers=_named(f"releves-{asked}.zip")
    )


@router.get("/{settlement_id}.pdf", dependencies=[Depends(ANY_ROLE)],
            responses={**_file("The statement as a PDF, in French", PDF),
                       **problems(400, 401, 403, 404, 422)})  # fmt: skip
async def settlement_pdf(
    settlement_id: PdfId, request: Request, conn: TenantConn, who: AnyUser
) -> Response:
    """A person's week as a PDF statement: the fleet, the driver, each platform's block and
    boundaries, the lines, the balance, the status, and a footer with the data's freshness
    and a SHA-256 of the figures."""
    week, person = _id(settlement_id)
    _, found = await _one(conn, request, who.org_id, week, person, keeper(request))
    context = await _context(conn, request, who.org_id)
    await release_connection(request)
    body = await run_in_threadpool(render, context.slip(found))
    return _attachment(body, PDF, f"releve-{settlement_id}.pdf")
