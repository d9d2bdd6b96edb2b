"""Which days' PAYMENTS_ORDER reports a run fetches (ingest/uber/report_days.py), as pure
functions: yesterday, and every day missed before it within the catch-up window."""

from __future__ import annotations

from datetime import date, timedelta

from ingest.uber.report_days import done_days, owed_days, with_done

YESTERDAY = date(2030, 3, 14)
WEEK = 7


def day(n: int) -> date:
    """``n`` days before yesterday."""
    return YESTERDAY - timedelta(days=n)


def test_a_first_run_fetches_yesterday_alone() -> None:
    assert owed_days(YESTERDAY, set(), None, WEEK) == [YESTERDAY]


def test_a_run_with_nothing_missed_fetches_yesterday_alone() -> None:
    done = {day(n) for n in range(1, 10)}
    assert owed_days(YESTERDAY, done, None, WEEK) == [YESTERDAY]


def test_a_day_already_fetched_is_not_fetched_again() -> None:
    assert owed_days(YESTERDAY, {YESTERDAY, day(1)}, day(1), WEEK) == []


def test_a_gap_on_the_day_before_yesterday_fetches_both_days_oldest_first() -> None:
    assert owed_days(YESTERDAY, {day(2)}, day(1), WEEK) == [day(1), YESTERDAY]


def test_the_days_after_the_last_one_fetched_are_all_fetched_gap_or_not() -> None:
    """The reports poll itself was down: its days are owed even where the API had all."""
    assert owed_days(YESTERDAY, {day(4), day(3)}, None, WEEK) == [day(2), day(1), YESTERDAY]


def test_a_day_skipped_by_a_failed_report_is_asked_again() -> None:
    done = {day(3), day(1), YESTERDAY}
    assert owed_days(YESTERDAY, done, None, WEEK) == [day(2)]


def test_a_gap_reaches_back_no_further_than_the_catch_up_days() -> None:
    assert owed_days(YESTERDAY, set(), day(30), 3) == [day(2), day(1), YESTERDAY]


def test_a_gap_of_today_alone_fetches_yesterday_alone() -> None:
    assert owed_days(YESTERDAY, set(), YESTERDAY + timedelta(days=1), WEEK) == [YESTERDAY]


def test_the_cursor_keeps_the_days_fetched_within_the_window_and_reads_the_former_shape() -> None:
    former = {"done_day": day(9).isoformat(), "pending": {"day": "x", "report_id": "r"}}
    assert done_days(former) == {day(9)}

    cursor = with_done(former, YESTERDAY, oldest=day(6))

    assert cursor == {"done_days": [YESTERDAY.isoformat()]}
    assert done_days(with_done(cursor, day(1), oldest=day(6))) == {day(1), YESTERDAY}
