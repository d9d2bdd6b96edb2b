"""Uber's OAuth 2.0 client-credentials token endpoint (``POST /oauth/v2/token``).

Errors follow RFC 6749 (``{"error": ...}``), not the API's ``{code, message}``
shape: 401 ``invalid_client``, 400 ``unsupported_grant_type``, 400
``invalid_scope`` for a scope the app was not granted (docs/PROVIDERS.md §1.1, §4 #3), 429
``rate_limited`` past ``uber_token_mint_per_hour`` mints within an hour (docs/PROVIDERS.md §4 #2).
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qs, unquote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator.chaos import ProviderChaos
from simulator.ratelimit import retry_after_header
from simulator.render import json_response
from simulator.state import SimState

GRANTED_SCOPES = frozenset(
    {
        "vehicle_suppliers.organizations.read",
        "solutions.suppliers.drivers.status.read",
        "solutions.suppliers.metrics.read",
        "supplier.partner.payments",
        "solutions.suppliers.reports",
    }
)


def parse_form(body: bytes) -> dict[str, str]:
    """Decode an ``application/x-www-form-urlencoded`` body (first value of each field)."""
    parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items()}


def basic_credentials(header: str) -> tuple[str, str] | None:
    """``(client_id, client_secret)`` from an HTTP Basic header, if one is sent."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip()).decode("utf-8")
    except (binascii.Error, UnicodeError):
        return None
    user, _, password = decoded.partition(":")
    return unquote(user), unquote(password)


def oauth_error(
    status: int, error: str, description: str, headers: dict[str, str] | None = None
) -> Response:
    """An RFC 6749 error body."""
    body = {"error": error, "error_description": description}
    return json_response(body, status, headers)


def injected_token_failure(chaos: ProviderChaos) -> Response | None:
    """The answer of an armed ``token_fail_next``, if any (429 for a mint burst, else 5xx)."""
    if not chaos.take_token_failure():
        return None
    headers = {} if chaos.retry_after is None else {"Retry-After": str(chaos.retry_after)}
    error = "rate_limited" if chaos.status == 429 else "server_error"
    return oauth_error(chaos.status, error, "Simulated token endpoint failure", headers)


async def client_credentials_form(
    request: Request, chaos: ProviderChaos, client: tuple[str, str]
) -> dict[str, str] | Response:
    """The form of a client-credentials request from ``client``, or the error to answer with.

    Both providers check in this order: an injected failure, the client's id and secret
    (HTTP Basic, else the form), then the grant type.
    """
    failure = injected_token_failure(chaos)
    if failure is not None:
        return failure
    form = parse_form(await request.body())
    sent = basic_credentials(request.headers.get("authorization", ""))
    client_id, secret = sent or (form.get("client_id", ""), form.get("client_secret", ""))
    if (client_id, secret) != client:
        return oauth_error(401, "invalid_client", "Client authentication failed")
    if form.get("grant_type") != "client_credentials":
        return oauth_error(400, "unsupported_grant_type", "Use client_credentials")
    return form


def uber_token_routes(sim: SimState) -> list[Route]:
    """The token route, bound to ``sim``."""

    async def token(request: Request) -> Response:
        """Mint an Uber access token for the client-credentials grant."""
        settings = sim.settings
        client = (settings.uber_client_id, settings.uber_client_secret)
        form = await client_credentials_form(request, sim.chaos.of("uber"), client)
        if isinstance(form, Response):
            return form
        requested = form.get("scope", "").split() or sorted(GRANTED_SCOPES)
        refused = [s for s in requested if s not in GRANTED_SCOPES]
        if refused:
            return oauth_error(400, "invalid_scope", f"Scope not granted: {' '.join(refused)}")
        wait = sim.uber_mints.take()
        if wait > 0:
            headers = retry_after_header(wait, settings.uber_emit_retry_after)
            return oauth_error(429, "rate_limited", "Too many token requests", headers)
        access_token = sim.uber_tokens.mint(frozenset(requested))
        return json_response(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": sim.uber_tokens.ttl_s,
                "scope": " ".join(requested),
            }
        )

    return [Route("/oauth/v2/token", token, methods=["POST"])]
