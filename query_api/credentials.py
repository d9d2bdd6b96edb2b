"""What ``POST /auth/login`` reads: our JSON body, or the OAuth2 password form.

The form (RFC 6749 §4.3: ``grant_type=password``, ``username``, ``password``, ``scope``) is
what OAuth2 clients send, FastAPI's security tools among them, and so the "Authorize" button
of ``/docs``. Both give the same :class:`Credentials`, and the answer is the same token JSON
(``access_token``, ``token_type: "bearer"``), which is also what OAuth2 asks for.

Either body that does not fit is the usual 422 problem naming the fields (``body.email``,
``body.username``…). Form parameters the grant does not define are ignored, as
RFC 6749 §3.2 says they must be.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from query_api.listing import NO_NUL

FORM = "application/x-www-form-urlencoded"


class Credentials(BaseModel):
    email: str = Field(min_length=3, max_length=320, pattern=NO_NUL)
    password: str = Field(min_length=1, max_length=1024)


class PasswordForm(BaseModel):
    """The OAuth2 password grant; ``username`` is the e-mail. Scopes are not used."""

    model_config = ConfigDict(extra="ignore")

    grant_type: Literal["password"] = "password"
    username: str = Field(min_length=3, max_length=320, pattern=NO_NUL)
    password: str = Field(min_length=1, max_length=1024)
    scope: str = Field("", max_length=1024)


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


# The operation's requestBody: FastAPI documents one media type per body, we take two.
LOGIN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _schema(Credentials)},
            FORM: {"schema": _schema(PasswordForm)},
        },
    }
}


def _from_form(raw: bytes) -> Credentials:
    """Credentials from the form; UTF-8 only, as RFC 6749 appendix B says."""
    try:
        fields = dict(parse_qsl(raw.decode("utf-8"), max_num_fields=16))
    except (UnicodeDecodeError, ValueError) as exc:
        raise RequestValidationError([_error("invalid form", ())]) from exc
    form = PasswordForm.model_validate(fields)
    return Credentials(email=form.username, password=form.password)


def _error(message: str, loc: tuple[str | int, ...]) -> dict[str, Any]:
    return {"loc": ("body", *loc), "msg": message, "type": "value_error"}


async def login_credentials(request: Request) -> Credentials:
    """The credentials of a login, from JSON or from the OAuth2 password form."""
    raw = await request.body()
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if media_type == FORM:
            return _from_form(raw)
        if media_type in ("", "application/json"):
            return Credentials.model_validate_json(raw)
    except ValidationError as exc:
        errors = [_error(e["msg"], tuple(e["loc"])) for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from exc
    raise RequestValidationError([_error(f"send application/json or {FORM}", ())])
