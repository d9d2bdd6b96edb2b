"""settlements: managers' pay decisions folded into three tables (migration 0019).

Only decisions (contracts/settlement_decisions.py): schemes, lines, and the weeks approved,
paid or cancelled. An approval carries its whole statement, so an approved week is rebuilt
by a replay exactly as approved, whatever the providers' data says since. Drafts are not
stored: the API computes them (query_api/settlements.py). Events are applied in log order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import asyncpg
import msgspec

from contracts import settlement_decisions as d
from contracts.envelope import EventEnvelope
from contracts.weeks import IsoWeek
from projector.projection import quote_table

TABLES = ("settlements", "settlement_schemes", "settlement_lines")
_DECODERS = {name: msgspec.json.Decoder(record) for name, record in d.DECISIONS.items()}
_ENCODER = msgspec.json.Encoder()

_SQL = {
    d.SCHEME_SET: """
INSERT INTO {settlement_schemes} (org_id, person_id, effective_from, scheme, position)
VALUES ($1, $2, $3, $4::jsonb, $5)
ON CONFLICT (org_id, person_id, effective_from) DO UPDATE SET
    scheme = excluded.scheme, position = excluded.position""",
    d.LINE_ADDED: """
INSERT INTO {settlement_lines} (org_id, line_id, person_id, kind, category, label, amount,
                                first_monday, last_monday, receipt, position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING""",
    d.LINE_REMOVED: """
UPDATE {settlement_lines} SET removed_position = $3
WHERE org_id = $1 AND line_id = $2 AND removed_position IS NULL""",
    d.APPROVED: """
INSERT INTO {settlements} AS s (org_id, settlement_id, person_id, week, status, statement,
    digest, balance, computed_at, incomplete, override_reason, approved_by, approved_at,
    last_position)
VALUES ($1, $2, $3, $4, 'approved', $5::jsonb, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (org_id, settlement_id) DO UPDATE SET
    status = 'approved', statement = excluded.statement, digest = excluded.digest,
    balance = excluded.balance, computed_at = excluded.computed_at,
    incomplete = excluded.incomplete, override_reason = excluded.override_reason,
    approved_by = excluded.approved_by, approved_at = excluded.approved_at,
    cancel_reason = NULL, cancelled_by = NULL, cancelled_at = NULL,
    last_position = excluded.last_position
WHERE s.status = 'cancelled'""",
    d.PAID: """
UPDATE {settlements} SET status = 'paid', paid_on = $3, transfer_reference = $4,
    paid_by = $5, last_position = $6
WHERE org_id = $1 AND settlement_id = $2 AND status = 'approved'""",
    d.CANCELLED: """
INSERT INTO {settlements} AS s (org_id, settlement_id, person_id, week, status,
    cancel_reason, cancelled_by, cancelled_at, last_position)
VALUES ($1, $2, $3, $4, 'cancelled', $5, $6, $7, $8)
ON CONFLICT (org_id, settlement_id) DO UPDATE SET
    status = 'cancelled', cancel_reason = excluded.cancel_reason,
    cancelled_by = excluded.cancelled_by, cancelled_at = excluded.cancelled_at,
    last_position = excluded.last_position
WHERE s.status = 'approved'""",
}


def _args(event: EventEnvelope) -> tuple[object, ...]:
    """The statement's parameters for one decision (see ``_SQL``)."""
    x = _DECODERS[event.event_type].decode(event.record)
    org, pos, at = event.org_id, event.position, event.observed_at
    match x:
        case d.SchemeSet():
            monday = IsoWeek.parse(x.effective_week).monday()
            return org, x.person_id, monday, _ENCODER.encode(x.scheme).decode(), pos
        case d.LineAdded():
            first = IsoWeek.parse(x.week).monday()
            last = first if x.kind == "one_off" else _monday(x.last_week)
            return (org, x.line_id, x.person_id, x.kind, x.category, x.label, x.amount, first,
                    last, x.receipt, pos)  # fmt: skip
        case d.LineRemoved():
            return org, x.line_id, pos
        case d.Approved():
            statement = _ENCODER.encode(x.statement).decode()
            return (org, x.settlement_id, x.person_id, x.week, statement, x.digest,
                    x.statement.balance, x.position, x.incomplete, x.override_reason,
                    x.user_email, at, pos)  # fmt: skip
        case d.Paid():
            return org, x.settlement_id, x.paid_on, x.transfer_reference, x.user_email, pos
        case d.Cancelled():
            return org, x.settlement_id, x.person_id, x.week, x.reason, x.user_email, at, pos
    raise TypeError(event.event_type)


def _monday(week: str | None) -> object:
    return None if week is None else IsoWeek.parse(week).monday()


class SettlementsProjection:
    """Settlement decisions, in log order, into the three settlement tables."""

    event_types = frozenset(d.DECISIONS)

    def __init__(
        self, name: str = "settlements", *, tables: Mapping[str, str] | None = None
    ) -> None:
        self.name = name
        self._targets = dict(tables or {t: t for t in TABLES})
        self.tables = tuple(self._targets[t] for t in TABLES)
        quoted = {t: quote_table(self._targets[t]) for t in TABLES}
        self._sql = {kind: sql.format(**quoted) for kind, sql in _SQL.items()}

    def retarget_tables(self, *, name: str, tables: Mapping[str, str]) -> SettlementsProjection:
        """The same projection as ``name``, writing each table ``t`` into ``tables[t]``."""
        return SettlementsProjection(name, tables={t: tables[self._targets[t]] for t in TABLES})

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Apply each decision in log order (a payment needs its approval before it).

        Each run of decisions of one kind (a week's approvals, then its payments) is one
        ``executemany``: the same statements in the same order, without a round trip each.
        """
        for kind, run in _runs(events):
            await conn.executemany(self._sql[kind], [_args(e) for e in run])


def _runs(events: Sequence[EventEnvelope]) -> list[tuple[str, list[EventEnvelope]]]:
    """``events`` in order, cut into runs of one event type: (type, events of the run)."""
    runs: list[tuple[str, list[EventEnvelope]]] = []
    for event in events:
        if not runs or runs[-1][0] != event.event_type:
            runs.append((event.event_type, []))
        runs[-1][1].append(event)
    return runs
