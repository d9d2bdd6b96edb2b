"""The content of Uber reports, derived from the same world as every other endpoint.

* ``REPORT_TYPE_PAYMENTS_ORDER``: one row per Uber transaction processed in the range (a
  trip's payment, a late tip, a fare adjustment), with the same ``Transaction UUID`` and
  amounts as U7 transactions, its headers in English
  or French (``uber_report_language``, see ``payments_order``).
* ``REPORT_TYPE_DRIVER_QUALITY``: one row per driver of the org, trips completed in the range
  (the same trips as analytics' ``vs:TotalTrips``) and rates drawn per person from the seed.
* Other types: one row per driver (UUID and name), enough for a client to walk the flow.

Headers are the documented ones first (docs/PROVIDERS.md §1.8). Above ``zip_above`` rows the
file is a zip of several CSVs of at most ``zip_above`` rows each, every one with the header.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Sequence

from simulator import payments_order
from simulator.activity import History
from simulator.reports import Report, ReportFile
from simulator.settings import SimulatorSettings
from simulator.uber_ledger import processed
from simulator.world import UberDriver, UberOrg

DRIVER_QUALITY_HEADER = (
    "Driver UUID", "Driver FirstName", "Driver Surname", "Trips Completed",
    "Confirmation Rate", "Cancellation Rate", "Completion Rate",
    "Driver Ratings (Previous 500 Trips)", "Driver Ratings (Last 4 Weeks)",
)  # fmt: skip
DRIVERS_HEADER = ("Driver UUID", "Driver FirstName", "Driver Surname")
Row = Sequence[str]


def quality_row(seed: int, driver: UberDriver, completed: int) -> Row:
    """One DRIVER_QUALITY row; rates are the person's own, stable across reports."""
    rng = random.Random(f"{seed}:quality:{driver.person_index}")
    confirmation = rng.uniform(0.80, 0.99)
    cancellation = rng.uniform(0.0, 0.06)
    return (
        driver.driver_id, driver.first_name, driver.last_name, str(completed),
        f"{confirmation:.2f}", f"{cancellation:.2f}", f"{1 - cancellation:.2f}",
        f"{rng.uniform(4.6, 5.0):.2f}", f"{rng.uniform(4.5, 5.0):.2f}",
    )  # fmt: skip


def report_table(
    settings: SimulatorSettings,
    report: Report,
    org: UberOrg,
    drivers: Sequence[UberDriver],
    history: History,
) -> tuple[Row, list[Row]]:
    """Header and rows of ``report``."""
    seed, start, end = settings.seed, report.start_s, report.end_s
    if report.report_type == "REPORT_TYPE_PAYMENTS_ORDER":
        paid = [(d, x) for d in drivers for x in processed(history, d.person_index, start, end)]
        paid.sort(key=lambda item: (item[1].processed_at, item[1].transaction_id))
        language = settings.uber_report_language
        rows = [payments_order.row(org, d, t, language) for d, t in paid]
        return payments_order.header(language), rows
    if report.report_type == "REPORT_TYPE_DRIVER_QUALITY":
        rows = [
            quality_row(seed, d, len(history.trips(d.person_index, start, end, "finished_at")))
            for d in drivers
        ]
        return DRIVER_QUALITY_HEADER, rows
    return DRIVERS_HEADER, [(d.driver_id, d.first_name, d.last_name) for d in drivers]


def csv_bytes(header: Row, rows: Sequence[Row]) -> bytes:
    """RFC 4180 CSV (CRLF), UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def zip_bytes(files: Sequence[tuple[str, bytes]]) -> bytes:
    """A zip of ``files`` with fixed timestamps (the same report gives the same bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), content)
    return out.getvalue()


def build_file(base_name: str, header: Row, rows: Sequence[Row], zip_above: int) -> ReportFile:
    """The downloadable file: one CSV, or a zip of CSVs above ``zip_above`` rows."""
    if len(rows) <= zip_above:
        return ReportFile(f"{base_name}.csv", csv_bytes(header, rows), "text/csv", len(rows))
    parts = [
        (f"{base_name}_{n + 1}.csv", csv_bytes(header, rows[i : i + zip_above]))
        for n, i in enumerate(range(0, len(rows), zip_above))
    ]
    return ReportFile(f"{base_name}.zip", zip_bytes(parts), "application/zip", len(rows))
