"""Appending managers' decisions (contracts/people.py, contracts/settlement_decisions.py) to
the log, beside observations.

A decision is one event of provider ``fleet``, appended through :func:`append_observations`
like a page of provider records: it takes the append lock, so positions stay visible in
order, and the relay publishes it like any event. Its entity id is a fresh UUID, so change
detection (same hash as the entity's latest event) never drops a decision that repeats an
earlier one: repeating "rename Laurent" is a second decision, and the history shows both.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from contracts import people, settlement_decisions
from eventlog.store import Observation, append_observations, canonical_hash

_ENCODER = msgspec.json.Encoder()


async def append_decision(
    conn: asyncpg.Connection, org_id: UUID, decision: people.Decided, decided_at: datetime
) -> int:
    """Append ``decision`` for ``org_id`` inside the caller's transaction; its position."""
    record = _ENCODER.encode(decision)
    if type(decision) in people.EVENT_TYPES:
        event_type, version = people.EVENT_TYPES[type(decision)], people.DECISION_VERSION
        account = people.ACCOUNT
    else:
        event_type = settlement_decisions.EVENT_TYPES[type(decision)]
        version, account = settlement_decisions.DECISION_VERSION, settlement_decisions.ACCOUNT
    observation = Observation(
        str(uuid.uuid4()), event_type, version, record, canonical_hash(record)
    )
    positions = await append_observations(
        conn,
        org_id=org_id,
        provider=people.PROVIDER,
        account_id=account,
        entity_type="decision",
        observed_at=decided_at,
        fetch_id=None,
        observations=[observation],
    )
    return positions[0]
