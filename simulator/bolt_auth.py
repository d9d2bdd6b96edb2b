"""Bolt's OIDC client-credentials token endpoint (``POST /token``).

One scope, ``fleet-integration:api``; tokens are JWT-shaped and live 600 s
(§2.1). Errors use the RFC 6749 shape, like Uber's token endpoint.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator.render import json_response
from simulator.state import SimState
from simulator.uber_auth import (
    basic_credentials,
    injected_token_failure,
    oauth_error,
    parse_form,
)

BOLT_SCOPE = "fleet-integration:api"


def bolt_token_routes(sim: SimState) -> list[Route]:
    """The token route, bound to ``sim``."""

    async def token(request: Request) -> Response:
        """Mint a Bolt access token for the client-credentials grant."""
        failure = injected_token_failure(sim.chaos.of("bolt"))
        if failure is not None:
            return failure
        form = parse_form(await request.body())
        sent = basic_credentials(request.headers.get("authorization", ""))
        client_id, secret = sent or (form.get("client_id", ""), form.get("client_secret", ""))
        settings = sim.settings
        if (client_id, secret) != (settings.bolt_client_id, settings.bolt_client_secret):
            return oauth_error(401, "invalid_client", "Client authentication failed")
        if form.get("grant_type") != "client_credentials":
            return oauth_error(400, "unsupported_grant_type", "Use client_credentials")
        requested = form.get("scope", "").split() or [BOLT_SCOPE]
        if requested != [BOLT_SCOPE]:
            return oauth_error(400, "invalid_scope", f"Only {BOLT_SCOPE} may be requested")
        access_token = sim.bolt_tokens.mint(frozenset(requested))
        return json_response(
            {
                "access_token": access_token,
                "expires_in": sim.bolt_tokens.ttl_s,
                "token_type": "Bearer",
                "scope": BOLT_SCOPE,
            }
        )

    return [Route("/token", token, methods=["POST"])]
