"""Response bodies of the settlement routes (docs/SETTLEMENTS.md)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from contracts.settlement import Block, Scheme, Statement, StatementLine

Status = str  # draft | approved | paid | cancelled


class SettlementSummary(msgspec.Struct):
    """One person's week in the list: its state and balance (cents)."""

    settlement_id: str
    person_id: UUID
    display_name: str
    week: str
    status: Status
    balance: int
    incomplete: list[str]  # the person's platforms whose week is not complete
    # Per platform, the sum of its lines (revenue, tips, cash, the fleet's share); apart, the
    # sum of every other line (carried balance, scheme, regularisations, the manager's).
    platform_net: dict[str, int] = msgspec.field(default_factory=dict)
    other_lines: int = 0


class SettlementPage(msgspec.Struct):
    week: str
    items: list[SettlementSummary]


class Settlement(msgspec.Struct):
    """A person's week: the statement (a draft computed now, or the one approved) and where
    it is in its life. ``digest`` is the ETag an approval's If-Match must repeat.
    ``glossary`` says what each platform figure is; ``rounding`` states the one rule."""

    settlement_id: str
    person_id: UUID
    display_name: str
    week: str
    status: Status
    statement: Statement | None
    digest: str | None
    incomplete: list[str]
    computed_at: int | None  # the log position an approved statement was computed at
    override_reason: str | None
    approved_by: str | None
    approved_at: datetime | None
    paid_on: date | None
    transfer_reference: str | None
    cancel_reason: str | None
    glossary: dict[str, dict[str, str]]
    rounding: str


class PayScheme(msgspec.Struct):
    """The scheme in force for a person this week, and since when (None: the org default)."""

    person_id: UUID
    scheme: Scheme
    effective_week: str | None
    is_default: bool


SETTLEMENT_STRUCTS: list[type] = [
    Scheme,
    Block,
    StatementLine,
    Statement,
    SettlementSummary,
    SettlementPage,
    Settlement,
    PayScheme,
]
