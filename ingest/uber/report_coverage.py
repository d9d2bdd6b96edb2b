"""What span of Uber money a downloaded PAYMENTS_ORDER report lets us claim as covered.

U6 payments and U7 transactions reach back 24 hours only, so a longer outage leaves a hole
that only the daily report can fill (docs/MONEY.md). Its rows are U7's transactions under
the same identity, so once they are stored, the span the report covers is whole for the
account's ``payments`` and ``transactions`` alike, and the gap closes (docs/QUALITY.md).

The span is claimed conservatively, never for time the report may not hold:

* the intersection of the day we asked for (a Paris day, sent as epoch milliseconds, so no
  time zone is left to guess) and the ``startTime``/``endTime`` Uber says the report covers;
  a report whose times are missing, or written without an offset, claims nothing;
* cut at the report's ``createdAt``: a report cannot hold payments processed after it was
  asked for (only matters for a day not yet over);
* nothing at all when a row was quarantined: its money is in no read table, so the span
  it belongs to is not whole. The quarantine shows the row and its reason.
"""

from __future__ import annotations

from datetime import UTC, datetime

from contracts import uber as c
from contracts.uber_report_rows import PAYMENTS_ORDER
from ingest.coverage import Covered
from ingest.pages import Decoded
from ingest.uber.windows import Window

# The resources a PAYMENTS_ORDER report fills: its rows are the payment transactions.
FILLED = ("payments", "transactions")


def report_claims(
    asked: Window, meta: c.UberReportMeta, rows: Decoded
) -> list[tuple[str, Covered]]:
    """``(resource, span)`` for each resource a report fills; none when it claims nothing."""
    if meta.reportType != PAYMENTS_ORDER or meta.status != c.REPORT_COMPLETED or rows.rejects:
        return []
    start, end, created = (_zoned(t) for t in (meta.startTime, meta.endTime, meta.createdAt))
    if start is None or end is None or created is None:
        return []
    span = Covered(max(asked.start, start), min(asked.end, end, created))
    return [(resource, span) for resource in FILLED]  # an empty span claims nothing


def _zoned(text: str | None) -> datetime | None:
    """An ISO-8601 time with its offset, in UTC; None when absent, unreadable or zoneless."""
    try:
        at = datetime.fromisoformat((text or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return at.astimezone(UTC) if at.tzinfo is not None else None
