"""Request dependencies: the caller, their role, and a connection scoped to their tenant."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from starlette.types import ASGIApp, Receive, Scope, Send

from core.passwords import ROLES
from query_api.problems import ApiProblem, unauthorized
from query_api.security import Principal, TokenError, VerifiedTokens, supabase_email


class BearerPrincipal(OAuth2PasswordBearer):
    """The caller, from a valid access token; 401 problem otherwise.

    An OAuth2 password-flow scheme so that the OpenAPI document names the security scheme of
    every route that needs it, with ``POST /auth/login`` as its token URL: the "Authorize"
    button of /docs then logs in there and sends the token as a bearer. It answers the
    principal itself rather than the credentials: one dependency where a scheme and a check
    of its result were two, each of which FastAPI resolves again on every request.
    """

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise unauthorized("missing bearer token")
        tokens: VerifiedTokens = request.app.state.tokens
        try:
            return tokens.verify(token)
        except TokenError as exc:
            if tokens.settings.supabase_secret is None:
                raise unauthorized(str(exc)) from exc
            return await _supabase_principal(request, tokens, token, exc)


async def _supabase_principal(
    request: Request, tokens: VerifiedTokens, token: str, ours: TokenError
) -> Principal:
    """The user of a Supabase Auth token (SUPABASE_JWT_SECRET), by e-mail: a fleet moving from
    the original implementation keeps its logins. Its role and org are the ones here; a
    Supabase user with no account here is 403 (authenticated, not allowed)."""
    assert tokens.settings.supabase_secret is not None
    try:
        email, expires = supabase_email(tokens.settings.supabase_secret, token)
    except TokenError:
        raise unauthorized(str(ours)) from ours
    row = await request.app.state.pool.fetchrow(
        "SELECT user_id, org_id, email, role, disabled FROM auth_find_user($1)", email
    )
    if row is None or row["disabled"]:
        raise ApiProblem(403, "Forbidden", "this Supabase user has no account here")
    who = Principal(row["user_id"], row["org_id"], row["role"], row["email"])
    tokens.remember(token, who, expires)
    return who


current_principal = BearerPrincipal(
    tokenUrl="/auth/login",
    scheme_name="OAuth2PasswordBearer",
    description="Access token from POST /auth/login, sent as `Authorization: Bearer`",
)

# The dependencies below are ``async def`` although they never await: FastAPI runs a plain
# ``def`` dependency in a worker thread, and that hop costs more than the whole check.


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require_role(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency refusing callers whose role is not in ``roles`` (403 problem).

    Use it as ``Depends(require_role("admin"))``, on a router (``dependencies=[…]``) or
    through the aliases below; query_api/ROLES.md lists which role may call what.
    """
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    async def check(who: CurrentUser) -> Principal:
        if who.role not in roles:
            raise ApiProblem(403, "Forbidden", f"role {who.role} may not do this")
        return who

    return check


# Any role is the token check alone: a verified token's role is one of ROLES
# (``security._decode`` refuses any other), so ``require_role(*ROLES)`` could never refuse
# anyone, and it cost nearly every route one more dependency for FastAPI to resolve on each
# request (~20 µs, docs/SCALING.md). Both name the same scheme, so /docs shows the same lock.
ANY_ROLE = current_principal
AUDIT_ROLES = require_role("auditor", "admin")
ADMIN_ROLE = require_role("admin")

AnyUser = Annotated[Principal, Depends(ANY_ROLE)]
Admin = Annotated[Principal, Depends(ADMIN_ROLE)]


def _begin_read_only_as(org_id: UUID) -> str:
    """BEGIN and set ``app.org_id``, in one round trip (a simple-protocol query string).

    Formatted, not bound, because only the simple protocol takes two statements at once; the
    value is a ``UUID`` from a verified token, whose text is hex digits and dashes.
    """
    if not isinstance(org_id, UUID):
        raise TypeError("org_id must be a UUID")
    return f"BEGIN READ ONLY; SELECT set_config('app.org_id', '{org_id}', true)"


class TenantLease:
    """The connection one request reads through, opened on first use and ended by
    :class:`TenantScope` once the response is sent.

    A plain object in the ASGI scope rather than a ``yield`` dependency: FastAPI runs a
    ``yield`` dependency's exit in an exit stack behind a shielded task, which cost a light
    read route a tenth of its CPU (almost every route of the API is such a read).
    """

    __slots__ = ("_conn", "_gate", "_pool")

    def __init__(self) -> None:
        self._conn: asyncpg.Connection | None = None
        self._pool: asyncpg.Pool | None = None
        self._gate: asyncio.Semaphore | None = None

    async def open(
        self, pool: asyncpg.Pool, gate: asyncio.Semaphore, org_id: UUID
    ) -> asyncpg.Connection:
        """A connection in a read-only transaction where RLS sees only ``org_id``'s rows.

        Requests take connections in arrival order through ``gate`` (why: query_api/app.py).
        """
        if self._conn is not None:
            return self._conn
        await gate.acquire()
        try:
            conn = await pool.acquire()
        except BaseException:
            gate.release()
            raise
        self._conn, self._pool, self._gate = conn, pool, gate
        await conn.execute(_begin_read_only_as(org_id))
        return conn

    async def close(self) -> None:
        """End the transaction and give the connection back; a no-op when none was opened.

        COMMIT even after an error: the transaction is read-only, and PostgreSQL rolls back
        one that failed. Should the COMMIT not run (a cancelled task, a broken connection),
        the pool rolls back on release (query_api/app.py).
        """
        conn, pool, gate = self._conn, self._pool, self._gate
        if conn is None or pool is None or gate is None:
            return
        self._conn = None
        try:
            with contextlib.suppress(Exception):
                await conn.execute("COMMIT")
        finally:
            try:
                await pool.release(conn)
            finally:
                gate.release()


_LEASE = "fleet.tenant_lease"


class TenantScope:
    """ASGI middleware giving each HTTP request a :class:`TenantLease`, closed after the
    response, streamed CSV exports included (they read through the lease's connection)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lease = scope[_LEASE] = TenantLease()
        try:
            await self.app(scope, receive, send)
        finally:
            await lease.close()


async def tenant_connection(request: Request, who: CurrentUser) -> asyncpg.Connection:
    """A connection in a transaction where row-level security sees only the caller's org.

    It stays open until the response is sent (:class:`TenantScope` ends it), so a streamed
    CSV export reads through it. The transaction is begun by hand to save a round trip (see
    ``_begin_read_only_as``), so routes must not open ``conn.transaction()`` in it;
    ``app.org_id`` is local to it and ends with it.
    """
    lease: TenantLease = request.scope[_LEASE]
    state = request.app.state
    return await lease.open(state.pool, state.gate, who.org_id)


TenantConn = Annotated[asyncpg.Connection, Depends(tenant_connection)]


async def release_connection(request: Request) -> None:
    """End the request's transaction and give its connection back now, before long work
    that reads nothing more (rendering a week's PDFs): the pool has few connections, and
    other requests wait for them. A later use of the connection in this request is a bug."""
    lease: TenantLease = request.scope[_LEASE]
    await lease.close()


async def client_address(request: Request) -> str:
    """The caller's address as the server sees it (behind a proxy: uvicorn --proxy-headers)."""
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]
