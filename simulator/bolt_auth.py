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
from simulator.uber_auth import client_credentials_form, oauth_error

BOLT_SCOPE = "fleet-integration:api"


def bolt_token_routes(sim: SimState) -> list[Route]:
    """The token route, bound to ``sim``."""

    async def token(request: Request) -> Response:
        """Mint a Bolt access token for the client-credentials grant."""
        settings = sim.settings
        client = (settings.bolt_client_id, settings.bolt_client_secret)
        form = await client_credentials_form(request, sim.chaos.of("bolt"), client)
        if isinstance(form, Response):
            return form
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
