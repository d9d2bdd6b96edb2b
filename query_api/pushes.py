"""Recording what a provider pushes to us, with the audit trail of a poll.

A webhook delivery is a provider call made the other way round: it is recorded as one
(provider ``uber``, method ``WEBHOOK``, its endpoint, the exact body, the status we answer),
then becomes an event in the same transaction, as a polled record does. Uber's body and
signature are in docs/PROVIDERS.md §1.9.

Per delivery and tenant, one transaction:

1. the call (``record_call``): every delivery, retries included, is kept;
2. the claim of its ``event_id`` (``webhook_deliveries``): Uber retries a delivery it thinks
   failed with the same id; only the first claim appends, and a concurrent duplicate waits
   on the claim's key until the first commits, then finds it taken;
3. the event (``append_observations``), for a status change.

The pool is the writer's, which serves every tenant and bypasses row-level security: every
statement here names the org. The tenant is the one whose ``provider_accounts`` hold the
body's Uber org (as the organizations poll records them). A delivery no tenant owns goes to
``webhook_unattributed``, never to a guessed tenant, and is answered 200: Uber would retry
it for an hour to no avail, and the next poll of the statuses brings what it said anyway.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

import asyncpg
import msgspec

from contracts import uber
from eventlog.fetches import ProviderCall, keep_body, quarantine, record_call
from eventlog.store import Observation, append_observations, canonical_hash

log = logging.getLogger(__name__)

PROVIDER = "uber"
METHOD = "WEBHOOK"
QUARANTINE_RESOURCE = "driver_status_pushed"

_ENVELOPE = msgspec.json.Decoder(uber.UberWebhook)
_ORG = msgspec.json.Decoder(uber.UberWebhookOrg)
_STATUS_PUSH = msgspec.json.Decoder(uber.UberStatusPush)


class Outcome(StrEnum):
    """What became of a signed delivery (the answer's ``outcome``)."""

    ACCEPTED = "accepted"  # its event is in the log
    DUPLICATE = "duplicate"  # its event_id was seen before: recorded, nothing appended
    IGNORED = "ignored"  # an event type we do not read: recorded only
    UNATTRIBUTED = "unattributed"  # no tenant of ours owns its Uber org
    MALFORMED = "malformed"  # not the documented shape: recorded and quarantined (400)


@dataclass(frozen=True)
class Delivery:
    """One signed webhook body as received."""

    endpoint: str
    body: bytes
    content_type: str | None
    received_at: datetime
    started: float  # time.monotonic() when the request arrived

    def call(self, status: int) -> ProviderCall:
        """The provider call this delivery is recorded as, answered ``status``."""
        elapsed_ms = int((time.monotonic() - self.started) * 1000)
        return ProviderCall(PROVIDER, METHOD, self.endpoint, self.received_at, elapsed_ms,
                            status, self.body, self.content_type)  # fmt: skip


@dataclass(frozen=True)
class _Parsed:
    """What the body says, or why it cannot be read."""

    account_id: str | None = None
    hook: uber.UberWebhook | None = None
    push: uber.UberStatusPush | None = None
    problem: str | None = None


def _parse(body: bytes) -> _Parsed:
    """The body's Uber org, envelope and status change, or the reason it is malformed."""
    account_id = _account_of(body)
    try:
        hook = _ENVELOPE.decode(body)
        push = _STATUS_PUSH.decode(body) if hook.event_type == uber.REALTIME_STATUS_CHANGE else None
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return _Parsed(account_id, problem=f"not an Uber webhook body: {exc}")
    if account_id is None:
        return _Parsed(None, hook, problem="meta.org_id is missing")
    return _Parsed(account_id, hook, push)


def _account_of(body: bytes) -> str | None:
    """``meta.org_id``, read on its own so a malformed body can still find its tenant."""
    try:
        return _ORG.decode(body).meta.org_id
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


async def store(pool: asyncpg.Pool, delivery: Delivery) -> Outcome:
    """Record a signed delivery for every tenant owning its Uber org; what became of it."""
    parsed = _parse(delivery.body)
    async with pool.acquire() as conn:
        orgs = await _tenants(conn, parsed.account_id)
        if not orgs:
            return await _unattributed(conn, delivery, parsed)
        outcomes = [await _store_for(conn, org_id, delivery, parsed) for org_id in orgs]
    return outcomes[0]


async def _tenants(conn: asyncpg.Connection, account_id: str | None) -> list[UUID]:
    """The tenants whose Uber accounts include ``account_id`` (usually one)."""
    if account_id is None:
        return []
    rows = await conn.fetch(
        "SELECT org_id FROM provider_accounts WHERE provider = $1 AND account_id = $2 "
        "ORDER BY org_id",
        PROVIDER,
        account_id,
    )
    return [row["org_id"] for row in rows]


async def _store_for(
    conn: asyncpg.Connection, org_id: UUID, delivery: Delivery, parsed: _Parsed
) -> Outcome:
    """Steps 1-3 for one tenant, in one transaction."""
    async with conn.transaction():
        if parsed.problem is not None or parsed.hook is None:
            fetch_id = await record_call(conn, org_id, delivery.call(400))
            await quarantine(
                conn, org_id=org_id, provider=PROVIDER, resource=QUARANTINE_RESOURCE,
                fetch_id=fetch_id, reason=parsed.problem or "", raw=delivery.body,
            )  # fmt: skip
            outcome = Outcome.MALFORMED
        else:
            fetch_id = await record_call(conn, org_id, delivery.call(200))
            outcome = await _claim_and_append(conn, org_id, fetch_id, delivery, parsed)
    log.info("uber webhook %s: org %s, call %s", outcome, org_id, fetch_id)
    return outcome


_CLAIM_SQL = """
INSERT INTO webhook_deliveries (org_id, provider, event_id, fetch_id) VALUES ($1, $2, $3, $4)
ON CONFLICT (org_id, provider, event_id) DO NOTHING
RETURNING fetch_id
"""


async def _claim_and_append(
    conn: asyncpg.Connection, org_id: UUID, fetch_id: int, delivery: Delivery, parsed: _Parsed
) -> Outcome:
    """Steps 2 and 3: claim the event id, then append the status change it carries."""
    assert parsed.hook is not None and parsed.account_id is not None
    claimed = await conn.fetchval(_CLAIM_SQL, org_id, PROVIDER, parsed.hook.event_id, fetch_id)
    if claimed is None:
        return Outcome.DUPLICATE
    if parsed.push is None:
        return Outcome.IGNORED
    observation = Observation(
        entity_id=parsed.push.meta.driver_id,
        event_type=uber.DRIVER_STATUS_PUSHED,
        schema_version=uber.DRIVER_STATUS_PUSHED_VERSION,
        record=delivery.body,
        record_hash=canonical_hash(delivery.body),
    )
    await append_observations(
        conn, org_id=org_id, provider=PROVIDER, account_id=parsed.account_id,
        entity_type="driver_status", observed_at=delivery.received_at, fetch_id=fetch_id,
        observations=[observation],
    )  # fmt: skip
    return Outcome.ACCEPTED


_UNATTRIBUTED_SQL = """
INSERT INTO webhook_unattributed (provider, account_id, event_id, endpoint, status, reason,
                                  response_hash)
VALUES ($1, $2, $3, $4, $5, $6, $7)
"""


async def _unattributed(conn: asyncpg.Connection, delivery: Delivery, parsed: _Parsed) -> Outcome:
    """Keep a delivery no tenant owns, with why; malformed ones are still answered 400."""
    status = 400 if parsed.problem else 200
    reason = parsed.problem or f"no tenant has the Uber org {parsed.account_id!r}"
    event_id = parsed.hook.event_id if parsed.hook else None
    async with conn.transaction():
        content_hash = await keep_body(conn, delivery.body, delivery.content_type)
        await conn.execute(_UNATTRIBUTED_SQL, PROVIDER, parsed.account_id, event_id,
                           delivery.endpoint, status, reason, content_hash)  # fmt: skip
    log.warning("uber webhook unattributed (%s): %s", status, reason)
    return Outcome.MALFORMED if parsed.problem else Outcome.UNATTRIBUTED
