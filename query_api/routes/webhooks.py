"""Uber's webhooks: driver status pushed to ``POST /webhooks/uber`` (docs/PROVIDERS.md §1.9).

Public (Uber has no token of ours): the signature is the authentication. ``X-Uber-Signature``
is the hex HMAC-SHA256 of the exact body, keyed with the app's secret; we compute it over the
bytes as received, before parsing anything, and compare in constant time. An unsigned or
mis-signed body is refused (401) and not stored: anyone can send one, and storing it would
let anyone fill the database. A signed body is recorded, deduplicated and appended
(``query_api/pushes.py``), then answered at once: Uber retries whatever is not a 2xx.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from datetime import UTC, datetime

from fastapi import APIRouter, Request

from query_api import pushes
from query_api.problems import ApiProblem
from query_api.schemas import MsgspecResponse, WebhookAck, ok, problems

log = logging.getLogger(__name__)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

ENDPOINT = "/webhooks/uber"
SIGNATURE_HEADER = "X-Uber-Signature"
# Status changes are a few hundred bytes; a cap keeps an unauthenticated caller from making
# us buffer (and hash) megabytes before the signature check can refuse them.
MAX_BODY_BYTES = 64 * 1024

_ACKS = {
    pushes.Outcome.ACCEPTED: WebhookAck(outcome="accepted"),
    pushes.Outcome.DUPLICATE: WebhookAck(outcome="duplicate"),
    pushes.Outcome.IGNORED: WebhookAck(outcome="ignored"),
    pushes.Outcome.UNATTRIBUTED: WebhookAck(outcome="unattributed"),
}

_BODY_DOC = {
    "required": True,
    "description": "Uber's delivery, signed (docs/PROVIDERS.md §1.9)",
    "content": {"application/json": {"schema": {"type": "object"}}},
}


@router.post(
    "/uber",
    response_class=MsgspecResponse,
    responses={**ok(WebhookAck), **problems(400, 401, 413)},
    openapi_extra={
        "requestBody": _BODY_DOC,
        "parameters": [
            {
                "name": SIGNATURE_HEADER,
                "in": "header",
                "required": True,
                "description": "hex HMAC-SHA256 of the exact body, keyed with the app's secret",
                "schema": {"type": "string"},
            }
        ],
    },
)
async def uber_webhook(request: Request) -> MsgspecResponse:
    """Receive one of Uber's signed deliveries: recorded, deduplicated by ``event_id``, and
    appended as an event when it is a driver status change. 401 when unsigned or mis-signed,
    413 above 64 KiB, 400 (kept in quarantine) when not the documented shape."""
    started = time.monotonic()
    received_at = datetime.now(UTC)
    body = await _read_capped(request, MAX_BODY_BYTES)
    _verify(request.app.state.uber_webhook_secret, body, request.headers.get(SIGNATURE_HEADER))
    delivery = pushes.Delivery(
        ENDPOINT, body, request.headers.get("content-type"), received_at, started
    )
    outcome = await pushes.store(request.app.state.writer_pool, delivery)
    if outcome is pushes.Outcome.MALFORMED:
        raise ApiProblem(400, "Bad Request", "the body is not an Uber webhook; it is kept")
    return MsgspecResponse(_ACKS[outcome])


async def _read_capped(request: Request, cap: int) -> bytes:
    """The body, refused (413) as soon as it is known to exceed ``cap``: from its declared
    length without reading it, or while reading, without reading further."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise _too_large(cap)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise _too_large(cap)
    return bytes(body)


def _too_large(cap: int) -> ApiProblem:
    return ApiProblem(413, "Content Too Large", f"webhook bodies are at most {cap} bytes")


def _verify(secret: str | None, body: bytes, signature: str | None) -> None:
    """Refuse (401) unless ``signature`` is the body's HMAC-SHA256 under ``secret``.

    The reason is logged, never the header's value or the secret.
    """
    if not secret:
        raise _refused("no webhook secret is configured")
    if not signature:
        raise _refused(f"no {SIGNATURE_HEADER} header")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().encode()
    given = signature.strip().lower().encode("utf-8", "replace")
    if not hmac.compare_digest(expected, given):
        raise _refused(f"{SIGNATURE_HEADER} does not match the body")


def _refused(reason: str) -> ApiProblem:
    log.warning("uber webhook refused: %s", reason)
    return ApiProblem(401, "Unauthorized", f"webhook refused: {reason}")
