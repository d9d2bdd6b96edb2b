"""Uber report routes: generate (U10), list (U11), get (U12), signed link (U13), download.

Scope ``solutions.suppliers.reports``. The generate body is docs/PROVIDERS.md §1.8's::

    {"reportType": "REPORT_TYPE_PAYMENTS_ORDER",
     "filters": [{"field": "dateRange", "operator": "OPERATOR_IN_RANGE",
                  "value": ["<start ms>", "<end ms>"]}]}

Answers are ``{"report": {…}}`` (the generate answer is assumed to mirror get,
docs/PROVIDERS.md §4 #11); the list is newest first under the singular key ``report``. A link is
``{"data": {"signedUrl": {"value": "<url>"}}}``; the URL needs no bearer token, and answers
403 "Access Denied" (S3's XML) once ``uber_report_link_ttl_s`` have passed on the clock.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator.ratelimit import retry_after_header
from simulator.report_files import build_file, report_table
from simulator.reports import COMPLETED, REPORT_TYPES, Report, ReportFile, TooManyInProgress
from simulator.reports import render_report as render
from simulator.state import SimState
from simulator.uber_http import (
    ERROR_MESSAGES,
    UberError,
    bad_request,
    epoch_ms,
    json_body,
    page_size,
    paginate,
    require_org,
    uber_api,
)
from simulator.uber_roster import page_result

SCOPES = ("solutions.suppliers.reports",)
BASE = "/v1/vehicle-suppliers/suppliers/{org_id}/reports"
FILES = "/sim-files/reports"
ACCESS_DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
)


def date_range(body: dict[str, Any]) -> tuple[int, int]:
    """``(start_s, end_s)`` of the ``dateRange`` filter (string epoch ms)."""
    for f in body.get("filters") or []:
        if isinstance(f, dict) and f.get("field") == "dateRange":
            value = f.get("value")
            if f.get("operator") != "OPERATOR_IN_RANGE":
                raise bad_request("dateRange needs the operator OPERATOR_IN_RANGE")
            if not isinstance(value, list) or len(value) != 2:
                raise bad_request("dateRange needs [start, end] in epoch milliseconds")
            start, end = epoch_ms(value[0], "dateRange start"), epoch_ms(value[1], "dateRange end")
            return start // 1000, end // 1000
    raise bad_request("A dateRange filter is required")


def report_file(sim: SimState, report: Report) -> ReportFile | None:
    """The report's file once completed, computed from the world as of its completion."""
    if report.status(sim.clock.now()) != COMPLETED:
        return None
    if (known := sim.reports.file(report.report_id)) is not None:
        return known
    settings = sim.settings
    as_of = int(report.ready_at.timestamp())
    history = sim.uber_history(as_of)
    drivers = sim.uber_world.drivers(report.org_id)
    header, rows = report_table(settings.seed, report, drivers, history)
    made = build_file(report.base_name, header, rows, settings.uber_report_zip_above_rows)
    return sim.reports.keep_file(report.report_id, made)


def uber_report_routes(sim: SimState) -> list[Route]:
    """U10 to U13 and the signed download, bound to ``sim``."""
    settings = sim.settings

    def view(report: Report) -> dict[str, Any]:
        return render(report, sim.clock.now(), report_file(sim, report))

    def find(request: Request) -> Report:
        org = require_org(sim, request.path_params["org_id"])
        report = sim.reports.get(org.org_id, request.path_params["report_id"])
        if report is None:
            raise UberError(404, "Report not found")
        return report

    async def generate(request: Request) -> dict[str, Any]:
        """Start generating a report (at most 6 in progress per org)."""
        org = require_org(sim, request.path_params["org_id"])
        body = await json_body(request)
        report_type = body.get("reportType")
        if report_type not in REPORT_TYPES:
            raise bad_request(f"Unknown reportType: {report_type!r}")
        start, end = date_range(body)
        if start >= end:
            raise bad_request("dateRange start must be before its end")
        if end - start > settings.uber_report_max_days * 86400:
            raise bad_request(f"dateRange must not exceed {settings.uber_report_max_days} days")
        try:
            report = sim.reports.generate(org.org_id, str(report_type), start, end)
        except TooManyInProgress:
            raise UberError(429, ERROR_MESSAGES[429]) from None
        return {"report": view(report)}

    async def listing(request: Request) -> dict[str, Any]:
        """The org's reports, newest created first (``page_size`` is required)."""
        q = request.query_params
        org = require_org(sim, request.path_params["org_id"])
        size = page_size(q.get("page_size"), default=None, maximum=100)
        found = sim.reports.newest_first(org.org_id)
        page, token = paginate(found, lambda r: f"{10**9 - r.seq:09d}", q.get("page_token"), size)
        return page_result("report", [view(r) for r in page], token)

    async def get(request: Request) -> dict[str, Any]:
        """One report and its status."""
        return {"report": view(find(request))}

    async def link(request: Request) -> dict[str, Any]:
        """A signed download URL, valid for 60 s (600 links per 10 min)."""
        report = find(request)
        file = report_file(sim, report)
        if file is None:
            raise bad_request("Report is not completed")
        wait = sim.report_links.take()
        if wait > 0:
            headers = retry_after_header(wait, settings.uber_emit_retry_after)
            raise UberError(429, ERROR_MESSAGES[429], headers)
        expires = sim.now_s() + settings.uber_report_link_ttl_s
        signature = sim.reports.signature(report.report_id, expires)
        base = str(request.base_url).rstrip("/")
        query = f"Expires={expires}&Signature={signature}"
        url = f"{base}{FILES}/{report.report_id}/{file.name}?{query}"
        return {"data": {"signedUrl": {"value": url}}}

    async def download(request: Request) -> Response:
        """The file behind a signed link: no bearer, but a valid signature and expiry."""
        report_id = request.path_params["report_id"]
        expires = request.query_params.get("Expires", "")
        signature = request.query_params.get("Signature", "")
        report = sim.reports.by_id(report_id)
        valid = expires.isdigit() and sim.reports.link_valid(report_id, int(expires), signature)
        file = report_file(sim, report) if report is not None and valid else None
        if file is None or file.name != request.path_params["file_name"]:
            return Response(ACCESS_DENIED, 403, media_type="application/xml")
        return Response(file.content, 200, media_type=file.content_type)

    return [
        Route(BASE, uber_api(sim, SCOPES, generate), methods=["POST"]),
        Route(BASE, uber_api(sim, SCOPES, listing), methods=["GET"]),
        Route(f"{BASE}/{{report_id}}", uber_api(sim, SCOPES, get), methods=["GET"]),
        Route(f"{BASE}/{{report_id}}/link", uber_api(sim, SCOPES, link), methods=["POST"]),
        Route(f"{FILES}/{{report_id}}/{{file_name}}", download, methods=["GET"]),
    ]
