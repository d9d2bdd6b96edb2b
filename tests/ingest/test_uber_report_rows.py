"""The daily PAYMENTS_ORDER report's rows become transactions, read by header in EN or FR.

The simulator's clock is 21:00 in Paris on Monday 10 March 2025: the report covers Sunday
9 March (Paris), while U7 transactions reach back 24 hours only, to 20:10 UTC on the 9th. So
the report alone holds most of that Sunday, and both hold its last three hours.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from decimal import Decimal
from uuid import UUID

import asyncpg
import msgspec
import pytest

from contracts.uber_report_rows import PAYMENT_ORDER_ROW_OBSERVED, UberPaymentOrderRow
from ingest.uber.pollers import UberPollers
from ingest.uber.report_rows import decode_rows, fold, header_fields
from projector.projections.uber_transactions import UberTransactionsProjection
from projector.runner import ProjectionRunner
from simulator import FixedClock
from tests.ingest import test_uber_reports as reports_sim
from tests.ingest.test_uber_reports import YESTERDAY_END, YESTERDAY_START, report_events
from tests.simserver import SimServer

clock, http, pollers = reports_sim.clock, reports_sim.http, reports_sim.pollers
ID_COLUMN = {"en": "Transaction UUID", "fr": "UUID de la transaction"}
EARNINGS_COLUMN = {"en": "Earnings", "fr": "Revenus totaux"}


@pytest.fixture
def language() -> str:
    """The language of the simulator's report headers, unless a test says otherwise."""
    return "en"


@pytest.fixture
def sim(clock: FixedClock, language: str) -> Iterator[SimServer]:
    with reports_sim.report_sim(clock, uber_report_language=language) as server:
        yield server


ENGLISH = ["Driver UUID", "Earnings", "Processed At", "Transaction UUID", "Fleet Bonus"]
FRENCH = [
    "UUID du chauffeur", "Revenus totaux", "Date de traitement", "uuid de la TRANSACTION",
    "Versements : Espèces collectées", "Prime de flotte",
]  # fmt: skip


def csv_file(header: list[str], *rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode()


def test_headers_are_folded_so_case_accents_and_spacing_do_not_matter() -> None:
    assert fold("Versements :  Espèces Collectées") == "versements:especes collectees"
    assert fold("Nom de l\u2019organisation") == "nom de l'organisation"


@pytest.mark.parametrize(
    ("header", "row"),
    [
        (ENGLISH, ["D1", "12.34", "2025-03-09T10:00:00.000Z", "T1", "5.00"]),
        (FRENCH, ["D1", "12,34", "2025-03-09 11:00:00", "T1", "-3,00", "5,00"]),
    ],
    ids=["english", "french"],
)
def test_report_rows_are_read_by_header_in_any_order_and_language_keeping_unknown_columns(
    header: list[str], row: list[str]
) -> None:
    decoded = decode_rows("R1", csv_file(header, row))

    [obs] = decoded.observations
    record = msgspec.json.decode(obs.record, type=UberPaymentOrderRow)
    assert obs.entity_id == "T1" and obs.event_type == PAYMENT_ORDER_ROW_OBSERVED
    assert (record.driver_uuid, record.report_id) == ("D1", "R1")
    assert record.earnings in {"12.34", "12,34"}
    processed = record.processed()
    assert processed is not None and processed.hour == 10
    assert record.columns == dict(zip(header, row, strict=True))  # unknown ones included
    assert list(header_fields(FRENCH)) == [
        "driver_uuid", "earnings", "processed_at", "transaction_uuid", "cash_collected"
    ]  # fmt: skip


def test_a_row_without_an_id_a_time_or_an_amount_is_quarantined_and_the_rest_kept() -> None:
    content = csv_file(
        ENGLISH,
        ["D1", "12.34", "2025-03-09T10:00:00Z", "T1", ""],
        ["D1", "12.34", "2025-03-09T10:00:00Z", "", ""],
        ["D1", "12.34", "yesterday", "T3", ""],
        ["D1", "n/a", "2025-03-09T10:00:00Z", "T4", ""],
    )

    decoded = decode_rows("R1", content)

    assert [o.entity_id for o in decoded.observations] == ["T1"]
    reasons = [r.reason for r in decoded.rejects]
    assert ["Transaction UUID" in reasons[0], "Processed At" in reasons[1]] == [True, True]
    assert "Earnings" in reasons[2] and len(reasons) == 3


async def transactions(pool: asyncpg.Pool, org_id: UUID) -> dict[str, asyncpg.Record]:
    """The tenant's uber_transactions rows by id, after catching a fresh projection up."""
    projection = UberTransactionsProjection(f"uber_transactions-{uuid.uuid4().hex[:8]}")
    await ProjectionRunner(pool, None, projection).catch_up()
    rows = await pool.fetch("SELECT * FROM uber_transactions WHERE org_id = $1", org_id)
    return {r["transaction_id"]: r for r in rows}


async def report_file(pool: asyncpg.Pool, org_id: UUID) -> list[dict[str, str]]:
    """The downloaded file's rows, as the provider history keeps it, by header."""
    (event,) = await report_events(pool, org_id)
    body = await pool.fetchval(
        "SELECT r.body FROM provider_fetches f JOIN provider_responses r "
        "ON r.content_hash = f.response_hash WHERE f.fetch_id = $1",
        event["fetch_id"],
    )
    return list(csv.DictReader(io.StringIO(bytes(body).decode("utf-8"))))


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("report_first", [True, False], ids=["report-first", "api-first"])
async def test_the_report_fills_the_24_hour_horizon_and_a_payment_in_both_counts_once(
    pollers: UberPollers,
    writer_pool: asyncpg.Pool,
    org_id: UUID,
    report_first: bool,
    language: str,
) -> None:
    runs = [pollers.reports, pollers.transactions]
    for run in runs if report_first else reversed(runs):
        await run()

    file = await report_file(writer_pool, org_id)
    by_id = await transactions(writer_pool, org_id)
    id_column, earnings = ID_COLUMN[language], EARNINGS_COLUMN[language]
    in_report = {r[id_column]: Decimal(r[earnings].replace(",", ".")) for r in file}
    from_api = {t for t, r in by_id.items() if r["source"] == "api"}
    both = from_api & set(in_report)
    assert both and set(in_report) - from_api  # the overlap, and what only the report has
    assert set(in_report) <= set(by_id)  # each paid once: one row per id, whatever the source
    assert all(by_id[t]["amount_minor"] == in_report[t] * 100 for t in in_report)
    assert all(YESTERDAY_START <= by_id[t]["processed_at"] < YESTERDAY_END for t in in_report)
    assert {by_id[t]["source"] for t in both} == {"api"}  # U7's detail wins, in either order
