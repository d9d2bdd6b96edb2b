"""Login and the caller's identity."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from query_api.deps import CurrentUser
from query_api.problems import ApiProblem
from query_api.schemas import Me, MsgspecResponse, Token, ok, problems
from query_api.security import Principal, issue_access_token, verify_password

router = APIRouter(prefix="/auth", tags=["auth"])


class Credentials(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


@router.post(
    "/login", response_class=MsgspecResponse, responses={**ok(Token), **problems(401, 422)}
)
async def login(body: Credentials, request: Request) -> MsgspecResponse:
    """Exchange email and password for an access token (JWT)."""
    pool = request.app.state.pool
    row = await pool.fetchrow(
        "SELECT user_id, org_id, email, password_hash, role, disabled FROM auth_find_user($1)",
        body.email.strip(),
    )
    hashed = row["password_hash"] if row and not row["disabled"] else None
    if not await asyncio.to_thread(verify_password, hashed, body.password):
        raise ApiProblem(
            401, "Unauthorized", "invalid email or password", {"WWW-Authenticate": "Bearer"}
        )
    assert row is not None
    who = Principal(row["user_id"], row["org_id"], row["role"], row["email"])
    settings = request.app.state.jwt
    return MsgspecResponse(
        Token(access_token=issue_access_token(settings, who), expires_in=settings.access_ttl_s)
    )


@router.get("/me", response_class=MsgspecResponse, responses={**ok(Me), **problems(401)})
async def me(who: CurrentUser) -> MsgspecResponse:
    """The authenticated user."""
    return MsgspecResponse(
        Me(user_id=who.user_id, email=who.email, org_id=who.org_id, role=who.role)
    )
