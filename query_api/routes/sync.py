"""Sync on demand (admin): ask ingest to poll a resource now, and follow the runs.

The run is recorded 'queued' and committed first, then the command goes out on JetStream
(contracts.commands.SyncRequested); the ingest process that takes it moves the run along.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from contracts.commands import SYNC_ENCODER, SyncRequested
from contracts.resources import DECLARED, Declaration, ResourceDeclaration
from contracts.subjects import sync_subject
from query_api.deps import ADMIN_ROLE, Admin, TenantConn
from query_api.listing import ExportCsv, csv_of
from query_api.problems import ApiProblem
from query_api.schemas import MsgspecResponse, ok, problems
from query_api.schemas_data import ResourceSync, SyncAccepted, SyncRun, SyncStatusList

_COLUMNS = (
    "run_id, provider, resource, trigger, status, requested_at, started_at, finished_at, "
    "calls, records, appended, quarantined, error, complete, incomplete_reason"
)
_QUEUE = """
INSERT INTO sync_runs (org_id, provider, resource, trigger, requested_by, status)
VALUES ($1, $2, $3, 'manual', $4, 'queued') RETURNING run_id
"""
_UNSENT = """
UPDATE sync_runs SET status = 'failed', finished_at = now(), error = 'NATS unavailable'
WHERE run_id = $1
"""
_ONE = f"SELECT {_COLUMNS} FROM sync_runs WHERE run_id = $1"  # noqa: S608 (constants)
_LATEST = (
    f"SELECT DISTINCT ON (provider, resource) {_COLUMNS} FROM sync_runs "  # noqa: S608
    "ORDER BY provider, resource, requested_at DESC"
)


def _run(row: asyncpg.Record) -> SyncRun:
    return SyncRun(**{key: row[key] for key in SyncRun.__struct_fields__})


async def _in_tenant(pool: asyncpg.Pool, org_id: UUID, sql: str, *args: object) -> object:
    """One statement in its own committed transaction under the caller's org."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(org_id))
        return await conn.fetchval(sql, *args)


async def _request_sync(request: Request, who: Admin, target: ResourceDeclaration) -> Response:
    provider, resource = target.provider, target.name
    pool = request.app.state.pool
    run_id = await _in_tenant(pool, who.org_id, _QUEUE, who.org_id, provider, resource, who.user_id)
    assert isinstance(run_id, UUID)
    command = SyncRequested(
        run_id=run_id,
        org_id=who.org_id,
        provider=provider,
        resource=resource,
        requested_by=who.user_id,
    )
    nc = request.app.state.nats
    try:
        if nc is None or not nc.is_connected:
            raise ConnectionError("not connected")
        await nc.jetstream().publish(
            sync_subject(who.org_id, provider, resource), SYNC_ENCODER.encode(command), timeout=5
        )
    except Exception as exc:
        await _in_tenant(pool, who.org_id, _UNSENT, run_id)
        raise ApiProblem(
            503, "Service Unavailable", "the sync could not be sent (NATS unavailable); try again"
        ) from exc
    return MsgspecResponse(SyncAccepted(run_id=run_id, status="queued"), status_code=202)


_ACCEPTED = {
    202: {
        "description": "Queued",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SyncAccepted"}}},
    },
    **problems(401, 403, 404, 422, 503),
}
# Route prefix, route name (the OpenAPI operation's) and label of each provider.
_PROVIDERS = {"uber": ("/fleet", "uber_sync", "an Uber"), "bolt": ("/bolt", "bolt_sync", "a Bolt")}


def _target(declared: Declaration, provider: str, resource: str) -> ResourceDeclaration:
    """The declared resource named ``resource``, by our name or the spec's; else a 404."""
    try:
        return declared.get(provider, resource)
    except KeyError:
        names = ", ".join(declared.route_names(provider))
        raise ApiProblem(
            404, "Not Found", f"{provider} has no resource {resource!r}; one of {names}"
        ) from None


def _described(declared: Declaration, provider: str) -> str:
    """The sync route's OpenAPI text: each resource, and the spec's name for it if other."""
    lines = [f"Poll {_PROVIDERS[provider][2]} resource now; returns the run to follow.", ""]
    for r in declared.of(provider):
        alias = f" (the spec's `{r.spec_alias}`)" if r.spec_alias else ""
        lines.append(f"- `{r.name}`{alias}: {r.summary}")
    return "\n".join(lines)


def _add_sync_route(router: APIRouter, declared: Declaration, provider: str) -> None:
    """``POST <prefix>/sync/{resource}`` for the provider's declared names and aliases."""
    prefix, name, _ = _PROVIDERS[provider]
    # The enum documents the accepted names; an unknown one is still a 404 problem, not a 422.
    names = list(declared.route_names(provider))
    param = Path(max_length=64, pattern=r"^[a-z_]+$", json_schema_extra={"enum": names})

    async def sync_now(request: Request, who: Admin, resource: str = param) -> Response:
        return await _request_sync(request, who, _target(declared, provider, resource))

    router.add_api_route(
        f"{prefix}/sync/{{resource}}",
        sync_now,
        methods=["POST"],
        name=name,
        description=_described(declared, provider),
        response_class=MsgspecResponse,
        status_code=202,
        responses=_ACCEPTED,
    )


def sync_router(declared: Declaration = DECLARED) -> APIRouter:
    """The sync routes of the declared resources, and the runs they start."""
    router = APIRouter(tags=["sync"], dependencies=[Depends(ADMIN_ROLE)])
    for provider in declared.providers():
        _add_sync_route(router, declared, provider)
    router.add_api_route(
        "/sync/runs/{run_id}",
        sync_run,
        response_class=MsgspecResponse,
        responses={**ok(SyncRun), **problems(401, 403, 404, 422)},
    )

    async def sync_status(conn: TenantConn, csv: ExportCsv) -> Response:
        """The last run of every resource of both providers (null when never run)."""
        return await _status(conn, csv, declared)

    router.add_api_route(
        "/sync/status",
        sync_status,
        response_class=MsgspecResponse,
        responses={**ok(SyncStatusList, csv=True), **problems(401, 403, 422)},
    )
    return router


async def sync_run(run_id: UUID, conn: TenantConn) -> MsgspecResponse:
    """One sync run: its status, counts and error."""
    row = await conn.fetchrow(_ONE, run_id)
    if row is None:
        raise ApiProblem(404, "Not Found", "no such sync run")
    return MsgspecResponse(_run(row))


async def _status(conn: asyncpg.Connection, csv: bool, declared: Declaration) -> Response:
    latest = {(r["provider"], r["resource"]): _run(r) for r in await conn.fetch(_LATEST)}
    items = [
        ResourceSync(provider=p, resource=name, last_run=latest.get((p, name)))
        for p, name in ((r.provider, r.name) for r in declared)
    ]
    if csv:
        return csv_of(items, ResourceSync, "sync-status.csv")
    return MsgspecResponse(SyncStatusList(items=items))
