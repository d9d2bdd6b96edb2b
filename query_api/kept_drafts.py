"""Kept drafts (migration 0025, docs/SETTLEMENTS.md "Kept drafts"): a person's computed
draft of a week, kept with the stamp of everything it was computed from, and used again
while the stamp computed now is the same.

The stamp is a digest of: the settlement rules (and :data:`COMPUTATION`), the person's
identities (each provider and driver id), the counters of those drivers' money and hours
rows, the person's decision counter and the org's replay counter
(``settlement_draft_versions``). Triggers raise the counters in the transaction that changes
a table a draft reads; counters only grow, so any change gives another stamp. The stamp is
read *before* the figures: a change committed while a draft is being computed leaves it
kept under the old stamp, which no later reader computes again (invalid, never stale).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, Protocol
from uuid import UUID

import asyncpg
import msgspec

from contracts.settlement import Rules, Statement
from contracts.weeks import IsoWeek

# Raise it when contracts/settlement.py or the figures' SQL computes a draft differently:
# drafts kept by the code before are then never used again.
COMPUTATION = 1

_STATEMENT = msgspec.json.Decoder(Statement)
_ENCODE = msgspec.json.Encoder()
_PLATFORMS = msgspec.json.Decoder(dict[str, int])


class Summary(NamedTuple):
    """What the list shows of a statement: its balance, each platform's lines summed, and
    every other line summed."""

    balance: int
    platforms: dict[str, int]
    other: int


class _Amount(msgspec.Struct):
    amount: int
    provider: str | None = None


class _Amounts(msgspec.Struct):
    balance: int
    lines: list[_Amount]


_AMOUNTS = msgspec.json.Decoder(_Amounts)


class _Line(Protocol):
    @property
    def amount(self) -> int: ...
    @property
    def provider(self) -> str | None: ...


def _summed(balance: int, lines: Sequence[_Line]) -> Summary:
    platforms: dict[str, int] = {}
    other = 0
    for line in lines:
        provider, amount = line.provider, line.amount
        if provider is None:
            other += amount
        else:
            platforms[provider] = platforms.get(provider, 0) + amount
    return Summary(balance, platforms, other)


def summarise(statement: Statement | None) -> Summary:
    """The list's columns of ``statement`` (a week without one: zeros)."""
    if statement is None:
        return Summary(0, {}, 0)
    return _summed(statement.balance, statement.lines)


def summarise_json(raw: str | bytes) -> Summary:
    """:func:`summarise` of a statement stored as JSON, decoding only its amounts."""
    found = _AMOUNTS.decode(raw)
    return _summed(found.balance, found.lines)


@dataclass(frozen=True)
class Kept:
    """A kept draft: its stamp, the list's columns, and the statement (when read)."""

    stamp: str
    summary: Summary
    raw: str | None

    def statement(self) -> Statement:
        if self.raw is None:
            raise RuntimeError("the kept draft was read without its statement")
        return _STATEMENT.decode(self.raw)


Identity = tuple[str, str, int]  # provider, driver id, its counters summed


@lru_cache(maxsize=16)
def rules_key(rules: Rules) -> str:
    """The settings a draft depends on, as a digest (another setting: other stamps)."""
    return hashlib.sha256(f"{COMPUTATION}|{rules!r}".encode()).hexdigest()[:32]


def stamp(settings: str, replay: int, person: int, identities: list[Identity]) -> str:
    """The stamp of a person's draft from what it reads (see the module docstring);
    ``settings``: :func:`rules_key` of the rules."""
    text = _ENCODE.encode([settings, replay, person, sorted(identities)])
    return hashlib.sha256(text).hexdigest()[:32]


# Each identity with the counters of its driver's rows (every source table summed: each
# counter only grows, so the sum changes whenever one of them does).
IDENTITIES = """
SELECT i.person_id, i.provider, i.driver_id, coalesce(v.version, 0)::bigint AS version
FROM people_identities i
LEFT JOIN (SELECT provider, driver_id, sum(version) AS version FROM settlement_draft_versions
           WHERE org_id = $1 AND provider IN ('uber', 'bolt') GROUP BY provider, driver_id) v
       ON v.provider = i.provider AND v.driver_id = i.driver_id
WHERE i.org_id = $1 AND i.person_id = ANY($2)
"""
_COUNTERS = """
SELECT provider, driver_id, sum(version)::bigint AS version FROM settlement_draft_versions
WHERE org_id = $1 AND (provider = 'org' OR (provider = 'person' AND driver_id = ANY($2::text[])))
GROUP BY provider, driver_id
"""
_KEPT = """
SELECT person_id, stamp, balance, platforms, other, {statement} AS statement
FROM settlement_drafts WHERE org_id = $1 AND week = $2 AND person_id = ANY($3)
"""
_KEPT_WITH = _KEPT.format(statement="statement")
_KEPT_WITHOUT = _KEPT.format(statement="NULL::text")
_KEEP = """
INSERT INTO settlement_drafts AS k (org_id, week, person_id, stamp, statement, balance,
                                    platforms, other)
SELECT $1, $2, person_id, stamp, statement, balance, platforms, other
FROM unnest($3::uuid[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::bigint[])
     AS d(person_id, stamp, statement, balance, platforms, other)
ORDER BY person_id
ON CONFLICT (org_id, week, person_id) DO UPDATE SET
    stamp = excluded.stamp, statement = excluded.statement, balance = excluded.balance,
    platforms = excluded.platforms, other = excluded.other
"""


PAGES = 32  # the lists of weeks kept in the process (a few hundred kB each)
VARIANTS = 16  # of each, the answers kept (filters and platforms' completeness)
# Every counter of the org summed: it grows with any change of what a list shows (names and
# identities included), each counter only growing.
_ORG_VERSION = """
SELECT coalesce(sum(version), 0)::bigint FROM settlement_draft_versions WHERE org_id = $1
"""
PageKey = tuple[UUID, str, str]


class Keeper:
    """Where kept drafts are written (the writer's pool: a read's own transaction is
    read-only), and one computation at a time of an org's week in this process: the first
    read of a week after a change computes it, the reads arriving meanwhile wait and then
    find it kept, instead of each computing the same drafts at once.

    It also keeps, in memory, a week's list as answered (the encoded body of each variant:
    filters, platforms' completeness), under the sum of the org's counters read before it
    was built: any change committed since gives another sum, and the list is built again."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._locks: dict[tuple[UUID, str], tuple[asyncio.Lock, list[int]]] = {}
        self._pages: dict[PageKey, tuple[int, dict[Hashable, bytes]]] = {}

    async def page(
        self, conn: asyncpg.Connection, org: UUID, week: IsoWeek, rules: Rules,
        variant: Hashable, build: Callable[[], Awaitable[bytes]],
    ) -> bytes:  # fmt: skip
        """The list's body for ``variant``: kept if nothing changed, else ``build()``'s."""
        version = int(await conn.fetchval(_ORG_VERSION, org))  # before anything is read
        key = (org, str(week), rules_key(rules))
        entry = self._pages.pop(key, None)  # put back last: the oldest go first
        if entry is None or entry[0] != version:
            entry = (version, {})
        self._pages[key] = entry
        while len(self._pages) > PAGES:
            del self._pages[next(iter(self._pages))]
        body = entry[1].get(variant)
        if body is None:
            body = await build()
            if len(entry[1]) < VARIANTS:
                entry[1][variant] = body
        return body

    @asynccontextmanager
    async def computing(self, org: UUID, week: IsoWeek) -> AsyncIterator[None]:
        """Hold the week's turn to compute (forgotten once nobody waits for it)."""
        key = (org, str(week))
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if not users[0]:
                del self._locks[key]


async def stamps(
    conn: asyncpg.Connection, org: UUID, rules: Rules, identities: dict[UUID, list[Identity]],
    people: list[UUID],
) -> dict[UUID, str]:  # fmt: skip
    """Each person's stamp now. Call it before reading anything the drafts are computed from
    (the identities with their counters were read just before, by :data:`IDENTITIES`)."""
    counters = {
        (r["provider"], r["driver_id"]): int(r["version"])
        for r in await conn.fetch(_COUNTERS, org, [str(p) for p in people])
    }
    replay, settings = counters.get(("org", ""), 0), rules_key(rules)
    return {
        p: stamp(settings, replay, counters.get(("person", str(p)), 0), identities.get(p, []))
        for p in people
    }


async def kept(
    conn: asyncpg.Connection, org: UUID, week: IsoWeek, people: list[UUID], statements: bool
) -> dict[UUID, Kept]:
    """The kept drafts of ``people``'s ``week``, whatever their stamp (the caller compares)."""
    if not people:
        return {}
    rows = await conn.fetch(_KEPT_WITH if statements else _KEPT_WITHOUT, org, str(week), people)
    return {
        r["person_id"]: Kept(
            r["stamp"],
            Summary(r["balance"], _PLATFORMS.decode(r["platforms"]), r["other"]),
            r["statement"],
        )
        for r in rows
    }


async def keep(
    pool: asyncpg.Pool, org: UUID, week: IsoWeek, drafts: dict[UUID, tuple[str, Statement]]
) -> None:
    """Keep ``drafts`` (person: (stamp, statement)), replacing the ones kept before, in one
    statement sorted by person (two processes keeping the same week lock rows in one order).
    Through the writer's pool, whose role bypasses row-level security: the org is named."""
    if not drafts:
        return
    people = sorted(drafts)
    sums = [summarise(drafts[p][1]) for p in people]
    await pool.execute(
        _KEEP, org, str(week), people, [drafts[p][0] for p in people],
        [_ENCODE.encode(drafts[p][1]).decode() for p in people], [s.balance for s in sums],
        [_ENCODE.encode(s.platforms).decode() for s in sums], [s.other for s in sums],
    )  # fmt: skip
