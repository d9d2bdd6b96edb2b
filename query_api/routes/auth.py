"""Login, token refresh, logout, and the caller's identity."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from core.passwords import verify_password
from query_api.credentials import LOGIN_BODY, Credentials, login_credentials
from query_api.deps import AnyUser, ClientAddress
from query_api.problems import ApiProblem, unauthorized
from query_api.schemas import Me, MsgspecResponse, Token, ok, problems
from query_api.security import Principal, issue_access_token
from query_api.sessions import (
    AuthSettings,
    issue_refresh,
    login_retry_after,
    record_login,
    revoke_refresh,
    rotate_refresh,
)

router = APIRouter(prefix="/auth", tags=["auth"])

_RETRY_AFTER: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "Too many failed logins for this email or from this address",
        "headers": {"Retry-After": {"description": "Seconds", "schema": {"type": "integer"}}},
        "content": problems(429)[429]["content"],
    }
}


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")


def _tokens(request: Request, who: Principal, refresh_token: str) -> MsgspecResponse:
    jwt_settings = request.app.state.jwt
    auth: AuthSettings = request.app.state.auth
    return MsgspecResponse(
        Token(
            access_token=issue_access_token(jwt_settings, who),
            expires_in=jwt_settings.access_ttl_s,
            refresh_token=refresh_token,
            refresh_expires_in=auth.refresh_ttl_s,
        )
    )


async def _check_throttle(request: Request, email: str, ip: str) -> None:
    wait = await login_retry_after(request.app.state.pool, email, ip, request.app.state.auth)
    if wait > 0:
        raise ApiProblem(
            429,
            "Too Many Requests",
            "too many failed logins; try later",
            {"Retry-After": str(wait)},
        )


async def _authenticate(request: Request, email: str, password: str) -> Principal | None:
    row = await request.app.state.pool.fetchrow(
        "SELECT user_id, org_id, email, password_hash, role, disabled FROM auth_find_user($1)",
        email,
    )
    hashed = row["password_hash"] if row and not row["disabled"] else None
    if not await asyncio.to_thread(verify_password, hashed, password) or row is None:
        return None
    return Principal(row["user_id"], row["org_id"], row["role"], row["email"])


@router.post(
    "/login",
    response_class=MsgspecResponse,
    responses={**ok(Token), **problems(400, 401, 422), **_RETRY_AFTER},
    openapi_extra=LOGIN_BODY,
)
async def login(
    body: Annotated[Credentials, Depends(login_credentials)],
    request: Request,
    ip: ClientAddress,
) -> MsgspecResponse:
    """Exchange email and password for an access token (JWT) and a refresh token.

    The body is JSON (``email``, ``password``) or the OAuth2 password form (``username`` is
    the email), as the Authorize button of /docs sends it; the answer is the same.

    After 5 failed attempts for one email, or from one address, within 15 minutes, the
    answer is 429 with Retry-After, whatever the password.
    """
    email = body.email.strip()
    await _check_throttle(request, email, ip)
    who = await _authenticate(request, email, body.password)
    pool, auth = request.app.state.pool, request.app.state.auth
    await record_login(pool, email, ip, who is not None, auth)
    refresh_token = await issue_refresh(pool, who.user_id, auth.refresh_ttl_s) if who else None
    if who is None or refresh_token is None:
        raise unauthorized("invalid email or password")
    return _tokens(request, who, refresh_token)


@router.post(
    "/refresh", response_class=MsgspecResponse, responses={**ok(Token), **problems(400, 401, 422)}
)
async def refresh(body: RefreshRequest, request: Request) -> MsgspecResponse:
    """Exchange a refresh token for new tokens; the one presented is revoked.

    A refresh token works once. Presenting one already used revokes every token descended
    from the same login (it was copied), and so does a disabled user.
    """
    auth: AuthSettings = request.app.state.auth
    rotation = await rotate_refresh(request.app.state.pool, body.refresh_token, auth.refresh_ttl_s)
    if rotation.who is None or rotation.token is None:
        raise unauthorized(f"refresh token {rotation.outcome}")
    return _tokens(request, rotation.who, rotation.token)


@router.post(
    "/logout",
    status_code=204,
    response_class=Response,
    responses={
        204: {"description": "Logged out (also when the token was unknown)"},
        **problems(400, 422),
    },
)
async def logout(body: RefreshRequest, request: Request) -> Response:
    """Revoke the session of a refresh token: it and every token refreshed from its login.

    Access tokens already issued stay valid until they expire (15 minutes by default).
    """
    await revoke_refresh(request.app.state.pool, body.refresh_token)
    return Response(status_code=204)


@router.get("/me", response_class=MsgspecResponse, responses={**ok(Me), **problems(401, 403)})
async def me(who: AnyUser) -> MsgspecResponse:
    """The authenticated user."""
    return MsgspecResponse(
        Me(user_id=who.user_id, email=who.email, org_id=who.org_id, role=who.role)
    )
