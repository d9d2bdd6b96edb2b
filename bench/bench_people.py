"""People rebuild rate (``fleet replay``'s people unit), and its statements per event.

The log holds ``PEOPLE`` chauffeurs, each with an Uber and a Bolt account sharing a phone
number, observed in ``ROUNDS`` rounds: round 0 founds the people (automatic links), later
rounds change a state only (no key), and every third round gives a tenth of them a new phone
(a match again: suggestions). Between rounds, managers' decisions: people created by hand,
renames, unlinks, merges. Baseline: the same events read by ``read_types_after`` and
nothing else. The statements are counted per kind (which of ``projector/people/sql.py``).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
from _harness import embedded, new_org, read_as_rebuild, report, scaled

from contracts import bolt, people, uber
from contracts.envelope import EventEnvelope
from eventlog.decisions import append_decisions
from eventlog.store import Observation, append_observations, canonical_hash, head_position
from projector.people.sql import TABLES
from projector.projections.people import PeopleProjection
from projector.replay import REBUILD, TablePlan, prepare, rebuild

PEOPLE = scaled(1_000)
ROUNDS = 5
WHO: dict[str, Any] = {"user_id": uuid.uuid4(), "user_email": "bench@x.fr", "reason": "bench"}


def _phone(i: int, round_: int) -> str:
    return f"6{round_ // 3:02d}{i:06d}" if i % 10 == 0 else f"699{i:06d}"


def _observations(round_: int) -> dict[str, list[Observation]]:
    pages: dict[str, list[Observation]] = {"uber": [], "bolt": []}
    for i in range(PEOPLE):
        phone, state = _phone(i, round_), f"s{round_}"
        u = {
            "driverId": f"u{i}",
            "firstName": f"F{i}",
            "lastName": f"L{i % 97}",
            "status": state,
            "phoneNumber": {"countryCode": "+33", "number": phone},
        }
        b = {
            "driver_uuid": f"b{i}",
            "first_name": f"F{i}",
            "last_name": f"L{i % 97}",
            "phone": f"0{phone}",
            "state": state,
        }
        pages["uber"].append(_obs(f"u{i}", uber.DRIVER_OBSERVED, u))
        pages["bolt"].append(_obs(f"b{i}", bolt.DRIVER_OBSERVED, b))
    return pages


def _obs(driver: str, event_type: str, fields: dict[str, object]) -> Observation:
    record = json.dumps(fields).encode()
    return Observation(driver, event_type, 1, record, canonical_hash(record))


def _decisions(round_: int) -> list[people.Decided]:
    """Hand-made people for some drivers, then renames, unlinks and merges of them."""
    out: list[people.Decided] = []
    for i in range(round_, PEOPLE, 50):
        person = uuid.uuid5(uuid.NAMESPACE_OID, f"p{i}")
        if round_ == 0:
            out.append(
                people.PersonCreated(
                    person_id=person, display_name=f"P{i}", identity_ids=[f"uber:x{i}"], **WHO
                )
            )
        out.append(people.PersonRenamed(person_id=person, display_name=f"P{i}.{round_}", **WHO))
        out.append(people.IdentityUnlinked(person_id=person, identity_id=f"bolt:b{i}", **WHO))
        other = uuid.uuid5(uuid.NAMESPACE_OID, f"p{i + 25}")
        out.append(people.PeopleMerged(person_id=person, merged_person_id=other, **WHO))
    return out


async def _load(conn: asyncpg.Connection) -> int:
    org = await new_org(conn)
    now = datetime.now(UTC)
    for round_ in range(ROUNDS):
        for provider, page in _observations(round_).items():
            async with conn.transaction():
                await append_observations(
                    conn,
                    org_id=org,
                    provider=provider,
                    account_id="bench",
                    entity_type="driver",
                    observed_at=now,
                    fetch_id=None,
                    observations=page,
                )
        async with conn.transaction():
            await append_decisions(conn, org, _decisions(round_), now)
    return int(await conn.fetchval("SELECT count(*) FROM event_log"))


class _Counting:
    """A connection that counts the statements it is given, by their name in ``sql``."""

    def __init__(
        self, conn: asyncpg.Connection, names: dict[str, str], seen: Counter[str], ms: Counter[str]
    ) -> None:
        self._conn, self._names, self._seen, self._ms = conn, names, seen, ms

    def __getattr__(self, attr: str) -> Any:
        method = getattr(self._conn, attr)
        if attr not in ("execute", "executemany", "fetch", "fetchrow", "fetchval"):
            return method

        async def counted(sql: str, *args: Any, **kwargs: Any) -> Any:
            name = self._names.get(sql, sql[:40])
            started = time.perf_counter()
            try:
                return await method(sql, *args, **kwargs)
            finally:
                self._seen[name] += 1
                self._ms[name] += (time.perf_counter() - started) * 1000

        return counted


@dataclass
class _Stats:
    """Statements and milliseconds spent awaiting them, by kind; milliseconds in apply."""

    seen: Counter[str] = field(default_factory=Counter)
    ms: Counter[str] = field(default_factory=Counter)
    apply_ms: float = 0.0


class _CountedPeople(PeopleProjection):
    def __init__(self, stats: _Stats, name: str = "people", **kw: Any) -> None:
        super().__init__(name, **kw)
        self.stats = stats

    def retarget_tables(self, *, name: str, tables: Mapping[str, str]) -> PeopleProjection:
        return _CountedPeople(self.stats, name, tables={t: tables[t] for t in TABLES})

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        names = {sql: name for name, sql in self._sql.statements.items()}
        counting = _Counting(conn, names, self.stats.seen, self.stats.ms)
        started = time.perf_counter()
        await super().apply(counting, events)  # type: ignore[arg-type]
        self.stats.apply_ms += (time.perf_counter() - started) * 1000


async def main() -> None:
    async with embedded() as (_, db):
        conn = await asyncpg.connect(db.owner_url)
        pool = await asyncpg.create_pool(db.owner_url, min_size=1, max_size=4)
        assert pool is not None
        try:
            events = await _load(conn)
            head = await head_position(conn)
            _, read_s = await read_as_rebuild(conn, sorted(PeopleProjection.event_types), head)
            stats = _Stats()
            table = TablePlan("people", (_CountedPeople(stats),), TABLES[1:])
            await prepare(pool, table)
            started = time.perf_counter()
            await rebuild(pool, table.rebuilders())
            rebuild_s = time.perf_counter() - started
            count = "SELECT count(*) FROM {}"
            rows = {t: await conn.fetchval(count.format(t + REBUILD)) for t in TABLES}
        finally:
            await pool.close()
            await conn.close()
    seen = stats.seen
    statements = sum(seen.values())
    rebuild_eps, read_eps = events / rebuild_s, events / read_s
    report(
        "people",
        [
            f"people rebuild: {events:,} events ({PEOPLE:,} people x 2 accounts, {ROUNDS} "
            f"rounds, decisions between): {rebuild_eps:,.0f} ev/s, "
            f"{statements / events:.2f} statements/event ({statements:,})",
            f"  baseline, read_types_after of the same events: {read_eps:,.0f} ev/s",
            f"  {stats.apply_ms / 1000:.2f} s in apply, of which awaiting statements: "
            + ", ".join(f"{k} {v:,} ({stats.ms[k]:,.0f} ms)" for k, v in seen.most_common()),
            "  rows (shadow tables, not swapped): " + str(rows),
        ],
        {
            "events": events,
            "rebuild_eps": rebuild_eps,
            "read_eps": read_eps,
            "statements": statements,
            "by_statement": dict(seen),
        },
    )


if __name__ == "__main__":
    asyncio.run(main())
