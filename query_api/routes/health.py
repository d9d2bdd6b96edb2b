"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request

from query_api.schemas import Health, MsgspecResponse, ok

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_class=MsgspecResponse, responses=ok(Health))
async def healthz() -> MsgspecResponse:
    """The process is up."""
    return MsgspecResponse(Health(status="ok"))


@router.get(
    "/readyz",
    response_class=MsgspecResponse,
    responses={**ok(Health), 503: {"description": "A dependency is down"}},
)
async def readyz(request: Request) -> MsgspecResponse:
    """The database and NATS are reachable."""
    checks = {"database": "ok", "nats": "ok"}
    try:
        await request.app.state.pool.fetchval("SELECT 1")
    except Exception:
        checks["database"] = "unreachable"
    nc = request.app.state.nats
    if nc is None or not nc.is_connected:
        checks["nats"] = "unreachable"
    healthy = all(v == "ok" for v in checks.values())
    return MsgspecResponse(
        Health(status="ok" if healthy else "unavailable", checks=checks),
        status_code=200 if healthy else 503,
    )
