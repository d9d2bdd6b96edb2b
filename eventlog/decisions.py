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
from collections.abc import Sequence
from datetime import datetime
from itertools import groupby
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
    return (await append_decisions(conn, org_id, [decision], decided_at))[0]


async def append_decisions(
    conn: asyncpg.Connection,
    org_id: UUID,
    decisions: Sequence[people.Decided],
    decided_at: datetime,
) -> list[int]:
    """Append ``decisions`` for ``org_id``, in order, inside the caller's transaction; their
    positions. Consecutive decisions of one kind (people, settlements) are one page."""
    positions: list[int] = []
    for account, run in groupby(map(_observed, decisions), key=lambda pair: pair[0]):
        positions += await append_observations(
            conn,
            org_id=org_id,
            provider=people.PROVIDER,
            account_id=account,
            entity_type="decision",
            observed_at=decided_at,
            fetch_id=None,
            observations=[observation for _, observation in run],
        )
    return positions


def _observed(decision: people.Decided) -> tuple[str, Observation]:
    """The decision as an observation of a fresh entity, and the log's account column for it."""
    record = _ENCODER.encode(decision)
    if type(decision) in people.EVENT_TYPES:
        event_type, version = people.EVENT_TYPES[type(decision)], people.DECISION_VERSION
        account = people.ACCOUNT
    else:
        event_type = settlement_decisions.EVENT_TYPES[type(decision)]
        version, account = settlement_decisions.DECISION_VERSION, settlement_decisions.ACCOUNT
    entity = str(uuid.uuid4())
    return account, Observation(entity, event_type, version, record, canonical_hash(record))
