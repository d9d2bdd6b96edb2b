"""What a PAYMENTS_ORDER report claims as covered: never time it may not hold."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts import uber as c
from ingest.coverage import Covered
from ingest.pages import Decoded, Reject
from ingest.uber.report_coverage import report_claims
from ingest.uber.windows import paris_day

DAY = paris_day(datetime(2030, 3, 13).date()).window  # 12 March 23:00 to 13 March 23:00 UTC


def meta(**fields: str | None) -> c.UberReportMeta:
    """A completed PAYMENTS_ORDER report of the Paris day, as U12 answers it."""
    values: dict[str, str | None] = {
        "status": c.REPORT_COMPLETED,
        "reportType": "REPORT_TYPE_PAYMENTS_ORDER",
        "startTime": "2030-03-12T23:00:00.000Z",
        "endTime": "2030-03-13T23:00:00.000Z",
        "createdAt": "2030-03-14T19:00:00.000Z",
    }
    return c.UberReportMeta("r-1", **{**values, **fields})  # type: ignore[arg-type]


def test_a_complete_report_of_the_day_asked_claims_the_day_for_payments_and_transactions() -> None:
    whole = Covered(DAY.start, DAY.end)
    assert report_claims(DAY, meta(), Decoded()) == [("payments", whole), ("transactions", whole)]


def test_a_report_of_a_narrower_range_than_asked_claims_only_that_range() -> None:
    # e.g. Uber cutting the day in UTC: from midnight UTC, an hour after Paris midnight
    claims = report_claims(DAY, meta(startTime="2030-03-13T00:00:00Z"), Decoded())
    assert claims[0][1] == Covered(datetime(2030, 3, 13, tzinfo=UTC), DAY.end)


def test_a_report_asked_before_its_day_ended_claims_up_to_when_it_was_asked() -> None:
    claims = report_claims(DAY, meta(createdAt="2030-03-13T18:30:00Z"), Decoded())
    assert claims[0][1] == Covered(DAY.start, datetime(2030, 3, 13, 18, 30, tzinfo=UTC))


@pytest.mark.parametrize(
    "fields",
    [
        {"startTime": "2030-03-13T00:00:00"},  # no offset: which zone is a guess
        {"endTime": None},
        {"status": c.REPORT_FAILED},
        {"reportType": "REPORT_TYPE_DRIVER_QUALITY"},
    ],
)
def test_a_report_whose_span_is_not_certain_claims_nothing(fields: dict[str, str]) -> None:
    assert report_claims(DAY, meta(**fields), Decoded()) == []


def test_a_report_with_a_quarantined_row_claims_nothing() -> None:
    rows = Decoded([], [Reject(b"{}", "payment_order_row: no Transaction UUID")])
    assert report_claims(DAY, meta(), rows) == []
