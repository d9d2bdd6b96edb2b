"""Settlement decisions: what a manager decided about a driver's pay, appended to the log.

Like people decisions (contracts/people.py), each is one event of provider ``fleet``, so the
settlement tables are a projection of the log and a replay rebuilds them: a scheme set, a
line added or removed, a week approved (with its whole statement and the log position it
was computed at: what makes an approved week frozen and replayed to the cent), paid,
cancelled. docs/SETTLEMENTS.md.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from contracts.catalog import register
from contracts.people import Decided
from contracts.settlement import LineKind, Scheme, Statement

PROVIDER = "fleet"
ACCOUNT = "settlements"  # the log's account column for these decisions
DECISION_VERSION = 1

SCHEME_SET = "settlement.scheme_set"
LINE_ADDED = "settlement.line_added"
LINE_REMOVED = "settlement.line_removed"
APPROVED = "settlement.approved"
PAID = "settlement.paid"
CANCELLED = "settlement.cancelled"


class SchemeSet(Decided, frozen=True, kw_only=True):
    """From ``effective_week`` (``YYYY-Www``) on, ``person_id`` is paid under ``scheme``."""

    person_id: UUID
    effective_week: str
    scheme: Scheme


class LineAdded(Decided, frozen=True, kw_only=True):
    """A manager's line: one-off in ``week``, or recurring from ``week`` to ``last_week``
    (None: until removed). ``amount`` in cents, negative when the driver owes it."""

    line_id: UUID
    person_id: UUID
    kind: LineKind
    category: str
    label: str
    amount: int
    week: str
    last_week: str | None = None
    receipt: str | None = None


class LineRemoved(Decided, frozen=True, kw_only=True):
    """The line no longer counts in any week not yet approved."""

    line_id: UUID
    person_id: UUID


class Approved(Decided, frozen=True, kw_only=True):
    """The week's statement as approved: its figures, and the log position they were computed
    at. ``override_reason`` says why an incomplete week was approved anyway."""

    settlement_id: str  # <week>_<person id>
    person_id: UUID
    week: str
    statement: Statement
    digest: str
    position: int
    incomplete: tuple[str, ...] = ()  # the platforms whose week was incomplete
    override_reason: str | None = None


class Paid(Decided, frozen=True, kw_only=True):
    """The approved week was paid on ``paid_on`` by the transfer ``transfer_reference``."""

    settlement_id: str  # <week>_<person id>
    paid_on: date
    transfer_reference: str


class Cancelled(Decided, frozen=True, kw_only=True):
    """A draft or approved week set aside before it was paid (``reason`` is required)."""

    settlement_id: str  # <week>_<person id>
    person_id: UUID
    week: str


DECISIONS: dict[str, type[Decided]] = {
    SCHEME_SET: SchemeSet,
    LINE_ADDED: LineAdded,
    LINE_REMOVED: LineRemoved,
    APPROVED: Approved,
    PAID: Paid,
    CANCELLED: Cancelled,
}
EVENT_TYPES: dict[type[Decided], str] = {record: name for name, record in DECISIONS.items()}

for _event_type, _record in DECISIONS.items():
    register(_event_type, DECISION_VERSION, _record)
