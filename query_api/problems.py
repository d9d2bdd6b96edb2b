"""Errors as RFC 9457 problem details (``application/problem+json``), for every route."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class Problem(msgspec.Struct, omit_defaults=True):
    """A problem detail document."""

    title: str
    status: int
    detail: str | None = None
    type: str = "about:blank"
    errors: list[dict[str, Any]] | None = None


class ApiProblem(Exception):
    """Raise to answer with a problem; ``headers`` e.g. WWW-Authenticate or Retry-After."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        headers: dict[str, str] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.problem = Problem(title=title, status=status, detail=detail, errors=errors)
        self.headers = headers or {}


def unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(401, "Unauthorized", detail, {"WWW-Authenticate": "Bearer"})


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response:
    return Response(
        msgspec.json.encode(problem),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


async def _api_problem(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiProblem)
    return problem_response(exc.problem, exc.headers)


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    title = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}.get(
        exc.status_code, "Error"
    )
    detail = exc.detail if isinstance(exc.detail, str) else None
    return problem_response(
        Problem(title=title, status=exc.status_code, detail=detail), dict(exc.headers or {})
    )


async def _validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": ".".join(str(p) for p in err.get("loc", ())), "message": err.get("msg")}
        for err in exc.errors()
    ]
    fields = ", ".join(e["field"] for e in errors)
    return problem_response(
        Problem(title="Invalid request", status=422, detail=f"invalid: {fields}", errors=errors)
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(Problem(title="Internal Server Error", status=500))


def install(app: FastAPI) -> None:
    """Route every error of ``app`` through problem details."""
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
