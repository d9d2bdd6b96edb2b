"""The FastAPI application: composition of routers, errors, metrics and the frontend."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.staticfiles import StaticFiles

from contracts.resources import DECLARED, Declaration
from contracts.settlement import Rules
from contracts.weeks import WeekRules
from core.config import DatabaseSettings, JwtSettings
from eventlog.bus import connect, ensure_commands_stream
from projector.projections.settlements import SettlementsProjection
from query_api import problems
from query_api.deps import TenantScope
from query_api.draft_warmup import warming
from query_api.kept_drafts import Keeper
from query_api.metrics import HttpMetrics, exposition
from query_api.people_writes import PeopleWrites
from query_api.problems import ApiProblem
from query_api.query_keys import known_query_only
from query_api.reconcile import DEFAULT_MINIMUM_FARES, MinimumRule
from query_api.routes import (
    admin,
    audit_events,
    audit_fetches,
    audit_quarantine,
    auth,
    bolt_data,
    drivers,
    health,
    overview,
    people,
    people_decisions,
    people_suggestions,
    quality,
    settlement_exports,
    settlements,
    sync,
    uber_data,
    uber_history,
    vehicles,
    webhooks,
)
from query_api.schemas import COMPONENTS, document_problems
from query_api.security import VerifiedTokens
from query_api.sessions import AuthSettings
from query_api.settlement_rules import Company

log = logging.getLogger(__name__)

API_PREFIXES = (
    "/auth",
    "/fleet",
    "/bolt",
    "/sync",
    "/audit",
    "/admin",
    "/people",
    "/webhooks",
    "/healthz",
    "/readyz",
    "/metrics",
    "/docs",
    "/openapi.json",
)


POOL_SIZE = 20
# The writer's connections, for webhook deliveries only (query_api/pushes.py): each holds one
# for a short transaction, and Uber sends them one at a time per driver.


@dataclass(frozen=True)
class ApiSettings:
    database: DatabaseSettings
    jwt: JwtSettings
    nats_url: str | None
    frontend_dir: Path | None = None
    auth: AuthSettings = field(default_factory=AuthSettings)
    resources: Declaration = DECLARED  # the pollable resources, whose sync routes it serves
    cors_origins: tuple[str, ...] = ()  # FLEET_CORS_ORIGINS: pages served elsewhere
    stream_replicas: int = 1  # NATS_STREAM_REPLICAS, for the commands stream it publishes to
    weeks: WeekRules = field(default_factory=WeekRules)  # the providers' weeks (/quality)
    # UBER_WEBHOOK_SECRET, else UBER_CLIENT_SECRET: the key of X-Uber-Signature; none refuses
    # every delivery (query_api/routes/webhooks.py).
    uber_webhook_secret: str | None = field(default=None, repr=False)
    settlements: Rules = field(default_factory=Rules)  # default scheme, VAT, money weeks
    # FLEET_SETTLEMENT_WARM_WEEKS: the open weeks whose drafts are computed at start
    # (query_api/draft_warmup.py); 0 here, for the apps tests and tools build.
    warm_weeks: int = 0
    # FLEET_MINIMUM_FARE_RULES: the legal minimum per ride, with the days each took effect
    minimum_fares: tuple[MinimumRule, ...] = DEFAULT_MINIMUM_FARES
    company: Company = field(default_factory=Company)  # the statements' issuer
    # The time /quality judges weeks by: the wall clock, or a simulator's fixed clock in a
    # test that runs days of simulated time in seconds (tests/quality/).
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), repr=False)


def create_app(settings: ApiSettings) -> FastAPI:
    """Build the API; connections open in the lifespan, never at import."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = settings.database
        app.state.pool = await _create_pool(db.api_url, db.api_role)
        # Requests wait for a connection here, first come first served, rather than in the
        # pool: asyncpg's pool is an asyncio.Queue, where a waiter woken for a released
        # connection can lose it to a newcomer and go back to the end of the line. Under
        # load that barging starved some requests for hundreds of milliseconds (the API
        # benchmark's p99 with and without this gate: docs/SCALING.md).
        # asyncio.Semaphore is FIFO and never lets a newcomer pass a waiter.
        app.state.gate = asyncio.Semaphore(POOL_SIZE)
        app.state.nats = (
            (await _try_nats(settings.nats_url, settings.stream_replicas))
            if settings.nats_url
            else None
        )
        # The API's only writes as the writer (the API role may not write the log): people
        # decisions (why: query_api/people_writes.py) and Uber's webhook deliveries
        # (query_api/pushes.py). The writer bypasses row-level security, so both name the org
        # in every statement. A few connections: decisions run one at a time.
        writer = await _create_writer_pool(db.writer_url, db.writer_role)
        app.state.people_writes = PeopleWrites(writer)
        app.state.writer_pool = writer
        app.state.settlement_writes = PeopleWrites(writer, SettlementsProjection())
        app.state.settlement_rules = settings.settlements
        app.state.draft_keeper = keeper = Keeper(writer)
        try:
            async with warming(writer, keeper, settings.settlements, settings.warm_weeks):
                yield
        finally:
            if app.state.nats is not None:
                await app.state.nats.close()
            await writer.close()
            await app.state.pool.close()

    app = FastAPI(
        title="Fleet Manager API",
        version="0.1.0",
        lifespan=lifespan,
        description="Uber and Bolt fleet data for AA DENIS MOBILITÉS.",
        # We export Prometheus metrics; FastAPI's OpenTelemetry hooks looked up providers on
        # every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        dependencies=[Depends(known_query_only)],  # on every route, those added later too
    )
    app.state.jwt = settings.jwt
    app.state.tokens = VerifiedTokens(settings.jwt)
    app.state.auth = settings.auth
    app.state.weeks = settings.weeks
    app.state.clock = settings.clock
    app.state.minimum_fares = settings.minimum_fares
    app.state.bolt_net_includes = settings.settlements.bolt_net_includes
    app.state.company = settings.company
    app.state.uber_webhook_secret = settings.uber_webhook_secret
    registry = CollectorRegistry()
    app.state.registry = registry
    problems.install(app)
    routers = (
        auth.router,
        drivers.router,
        vehicles.uber_router,
        uber_data.router,
        uber_history.router,
        drivers.bolt_router,
        vehicles.bolt_router,
        bolt_data.router,
        overview.router,
        quality.router,
        people_decisions.router,
        people_suggestions.router,
        people.router,
        settlement_exports.router,  # before settlements: /export and /{id}.pdf
        settlements.router,
        settlements.schemes_router,
        sync.sync_router(settings.resources),
        audit_events.router,
        audit_fetches.router,
        audit_quarantine.router,
        admin.router,
        webhooks.router,
        health.router,
    )
    for router in _busiest_first(routers):
        app.include_router(router)
    _metrics_route(app, registry)
    app.add_middleware(TenantScope)
    app.add_middleware(HttpMetrics, registry=registry)  # outermost: it times the scope too
    _allow_origins(app, settings.cors_origins)
    _install_openapi(app, routers)
    if settings.frontend_dir and (settings.frontend_dir / "index.html").exists():
        _serve_frontend(app, settings.frontend_dir)
    return app


# The dashboard's most frequent reads: a driver's page and the drivers lists.
_BUSIEST = (drivers.router, uber_data.router, drivers.bolt_router, bolt_data.router)


def _busiest_first(routers: tuple[APIRouter, ...]) -> list[APIRouter]:
    """The routers in the order requests try them: the busiest first.

    FastAPI finds a request's route by trying each route in turn (a regex each, ~2 µs with
    its scope bookkeeping), so a bolt trips page tried some 20 routes before its own, a
    tenth of its CPU (docs/SCALING.md). No path of one router can be taken by another's here,
    so the order changes which is tried first, never which answers; the OpenAPI document
    keeps the order of ``routers`` (``_install_openapi``).
    """
    return [*_BUSIEST, *(router for router in routers if router not in _BUSIEST)]


def _allow_origins(app: FastAPI, origins: tuple[str, ...]) -> None:
    """Let the pages of ``origins`` (a dashboard hosted apart from the API) call it, tokens
    included; other origins get no CORS header, so browsers keep their pages out.

    Outside the metrics on purpose: a preflight is the browser's question, not a request.
    """
    if not origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "Accept",
            "Idempotency-Key",
            "X-Request-ID",
            "If-Match",
        ],
        # The CSV export's file name, how long a throttled login waits, a write's version and
        # whether an idempotent write was answered again.
        expose_headers=[
            "Content-Disposition",
            "Retry-After",
            "WWW-Authenticate",
            "ETag",
            "Idempotency-Replayed",
        ],
        max_age=600,
    )


async def _keep_session(_: asyncpg.Connection) -> None:
    """Release without asyncpg's RESET ALL round trip.

    Before this runs, asyncpg rolls back a transaction left open. The API changes no session
    state beyond that: ``app.org_id`` is set transaction-locally, the role is fixed at connect,
    and nothing LISTENs, takes session advisory locks or leaves cursors outside a transaction.
    """


async def _create_pool(url: str, role: str | None) -> asyncpg.Pool:
    """The API's pool as a role; ``role`` switches to it when the login is the owner's."""
    settings = {"application_name": "fleet"} | ({"role": role} if role else {})
    pool = await asyncpg.create_pool(
        url, min_size=1, max_size=POOL_SIZE, server_settings=settings, reset=_keep_session
    )
    assert pool is not None
    return pool


async def _create_writer_pool(url: str, role: str | None) -> asyncpg.Pool:
    """The writes' pool (decisions, webhooks), as the writer (``role`` when the login is the
    owner's)."""
    settings = {"application_name": "fleet-writes"} | ({"role": role} if role else {})
    pool = await asyncpg.create_pool(url, min_size=0, max_size=4, server_settings=settings)
    assert pool is not None
    return pool


async def _try_nats(url: str, replicas: int) -> Any:
    """NATS, with the commands stream the sync routes publish to: ensured here too, so that
    an admin's sync is queued even before ingest ever started (ingest takes it when it does)."""
    try:
        nc = await connect(url, "fleet-api", retry_for_s=5)
    except Exception as exc:  # the API serves reads without NATS; /readyz says so
        log.warning("API started without NATS (%s)", exc)
        return None
    try:
        await ensure_commands_stream(nc.jetstream(), replicas)
    except Exception as exc:  # a sync answers 503 until the stream exists; reads go on
        log.warning("the commands stream could not be ensured (%s)", exc)
    return nc


def _metrics_route(app: FastAPI, registry: CollectorRegistry) -> None:
    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(exposition(registry), media_type=CONTENT_TYPE_LATEST)


def _install_openapi(app: FastAPI, routers: tuple[APIRouter, ...]) -> None:
    """The OpenAPI document, with the msgspec response schemas as components and every
    problem each operation can answer; its paths in the order of ``routers``, whatever order
    requests try them in (``_busiest_first``)."""
    rank = {id(router): n for n, router in enumerate(routers)}

    def documented(route: BaseRoute) -> int:
        # FastAPI keeps each included router as one entry naming its original router;
        # other entries (/docs, /metrics…) keep their place, before the routers.
        return rank.get(id(getattr(route, "original_router", None)), -1)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            routes = sorted(app.routes, key=documented)
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=routes
            )
            schema.setdefault("components", {}).setdefault("schemas", {}).update(COMPONENTS)
            document_problems(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _static_file(root: Path, path: str) -> Path | None:
    """A file of the built frontend (favicon…), never outside its folder."""
    candidate = (root / path).resolve()
    if path and candidate.is_file() and candidate.is_relative_to(root.resolve()):
        return candidate
    return None


def _serve_frontend(app: FastAPI, root: Path) -> None:
    """The built dashboard at ``/``; client-side routes fall back to index.html."""
    app.mount("/assets", StaticFiles(directory=root / "assets"), name="assets")
    index = root / "index.html"

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str, request: Request) -> Response:
        if request.url.path.startswith(API_PREFIXES) and not _page_navigation(request):
            raise ApiProblem(404, "Not Found", "no such route")
        return FileResponse(_static_file(root, path) or index)


# Dashboard pages whose addresses share an API prefix (/audit/appels beside /audit/events).
_SHARED_PAGE_PREFIXES = ("/audit", "/admin")


def _page_navigation(request: Request) -> bool:
    """A browser opening a dashboard page under a shared prefix (a reload, a bookmark): it
    gets the dashboard. A client's call to a path that is no route still gets a 404 problem."""
    navigating = request.headers.get("sec-fetch-mode") == "navigate" or request.headers.get(
        "accept", ""
    ).startswith("text/html")
    return navigating and request.url.path.startswith(_SHARED_PAGE_PREFIXES)
