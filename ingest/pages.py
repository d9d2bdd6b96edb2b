"""From a provider page to the log: decode each record, quarantine the bad, append the rest.

A page is stored in one transaction: the provider call (with its body), the quarantined
records and the appended events commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import msgspec

from eventlog.fetches import ProviderCall, quarantine, record_call
from eventlog.store import Observation, append_observations, canonical_hash
from ingest.http import FailureSink

T = TypeVar("T")
_DECODERS: dict[type, msgspec.json.Decoder[Any]] = {}


def json_decoder(struct: type[T]) -> msgspec.json.Decoder[T]:
    """The JSON decoder of ``struct``, built once per process.

    Building a decoder compiles the type's schema; a page, a window or a record kind built per
    call would pay it again and again, so every decoder of a type comes from here.
    """
    decoder = _DECODERS.get(struct)
    if decoder is None:
        decoder = _DECODERS[struct] = msgspec.json.Decoder(struct)
    return decoder


@dataclass(frozen=True)
class Reject:
    raw: bytes
    reason: str


@dataclass(frozen=True)
class Decoded:
    observations: list[Observation] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


@dataclass(frozen=True)
class RecordKind:
    """How to read one kind of provider record into an observation."""

    entity_type: str
    event_type: str
    schema_version: int
    struct: type
    entity_id: Callable[[Any], str]


def decode_records(records: Sequence[msgspec.Raw], kind: RecordKind) -> Decoded:
    """Decode each raw record on its own; one bad record never spoils the page."""
    decoder: msgspec.json.Decoder[Any] = json_decoder(kind.struct)
    out = Decoded()
    for raw in records:
        data = bytes(raw)
        try:
            entity_id = kind.entity_id(decoder.decode(data))
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            out.rejects.append(Reject(data, f"{kind.entity_type}: {exc}"))
            continue
        if not entity_id:
            out.rejects.append(Reject(data, f"{kind.entity_type}: empty id"))
            continue
        out.observations.append(
            Observation(entity_id, kind.event_type, kind.schema_version, data, canonical_hash(data))
        )
    return out


@dataclass
class PollResult:
    """What one poll did, for logs, sync runs and tests."""

    calls: int = 0
    records: int = 0
    appended: int = 0
    quarantined: int = 0
    # Why the poll fetched less than it asked (a window cut short); empty when complete.
    incomplete: list[str] = field(default_factory=list)

    def add(self, other: PollResult) -> None:
        self.calls += other.calls
        self.records += other.records
        self.appended += other.appended
        self.quarantined += other.quarantined
        self.incomplete.extend(other.incomplete)


async def store_page(
    conn: asyncpg.Connection,
    *,
    org_id: UUID,
    account_id: str,
    kind: RecordKind,
    resource: str,
    call: ProviderCall,
    decoded: Decoded,
) -> PollResult:
    """Store one page atomically (the caller opens the transaction); return its counts."""
    fetch_id = await record_call(conn, org_id, call)
    for reject in decoded.rejects:
        await quarantine(
            conn,
            org_id=org_id,
            provider=call.provider,
            resource=resource,
            fetch_id=fetch_id,
            reason=reject.reason,
            raw=reject.raw,
        )
    positions = await append_observations(
        conn,
        org_id=org_id,
        provider=call.provider,
        account_id=account_id,
        entity_type=kind.entity_type,
        observed_at=datetime.now(UTC),
        fetch_id=fetch_id,
        observations=decoded.observations,
    )
    return PollResult(
        calls=1,
        records=len(decoded.observations) + len(decoded.rejects),
        appended=len(positions),
        quarantined=len(decoded.rejects),
    )


def failure_recorder(pool: asyncpg.Pool, org_id: UUID) -> FailureSink:
    """A sink that stores failed attempts (503s, 429s...) in the provider history."""

    async def record(call: ProviderCall) -> None:
        async with pool.acquire() as conn:
            await record_call(conn, org_id, call)

    return record
