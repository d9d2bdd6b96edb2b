"""The weekly statements' PDFs: one statement, and a week's ZIP of 1,500, beside blank pages.

Goals (issue 16): one PDF under 150 ms; a week's ZIP of 1,500 PDFs under 3 minutes.
Baselines, from the same library in the same run: a blank page (what fpdf2 costs with
nothing on it), and a ZIP of 1,500 blank pages. The statements are synthetic, shaped like a
busy week: both platforms, every figure non-zero, twelve lines, a name beyond Latin-1. What
this measures is the rendering and the archive (``query_api/payslip_exports.zip_chunks``, the
stream the route sends), not reading the week from the database (``bench_settlements.py``).
The ZIP streams: the bench also reports when its first bytes were ready, and the largest
piece the stream held at once (one PDF, not the week).
"""

from __future__ import annotations

import io
import statistics
import time
import uuid
import zipfile
from datetime import UTC, date, datetime

from _harness import report, scaled
from fpdf import FPDF

from contracts.settlement import FIGURES, Block, Scheme, Statement, StatementLine
from query_api.payslip_exports import to_zip, zip_chunks
from query_api.payslip_pdf import Issuer, Payslip, render
from query_api.schemas_settlements import Settlement

WEEK = "2026-W10"
WINDOWS = {
    "uber": (datetime(2026, 3, 2, 3, tzinfo=UTC), datetime(2026, 3, 9, 3, tzinfo=UTC)),
    "bolt": (datetime(2026, 3, 1, 23, tzinfo=UTC), datetime(2026, 3, 8, 23, tzinfo=UTC)),
}


def slip(n: int) -> Payslip:
    person = uuid.UUID(int=n + 1)
    blocks = [
        Block(
            provider=p,
            figures={k: 1234 + i for i, k in enumerate(FIGURES[p])},
            shared=50_000,
            tips=1_000,
            tolls=500,
            cash=-2_000,
            trips=40,
        )
        for p in FIGURES
    ]
    lines = [
        StatementLine(
            line_id=f"l{i}",
            kind="one_off" if i > 8 else "platform",
            label=f"Ligne n° {i} — carburant, péage, œuvre",
            amount=-1_000 * i,
            provider=None if i > 8 else ("uber" if i % 2 else "bolt"),
        )
        for i in range(12)
    ]
    statement = Statement(
        person_id=person,
        week=WEEK,
        scheme=Scheme(kind="split", fleet_share=2500),
        vat_rate=2000,
        blocks=blocks,
        lines=lines,
        balance=sum(x.amount for x in lines),
    )
    found = Settlement(
        settlement_id=f"{WEEK}_{person}",
        person_id=person,
        display_name=f"Ștefan Dupré {n}",
        week=WEEK,
        status="approved",
        statement=statement,
        digest=statement.digest(),
        incomplete=[],
        computed_at=1,
        override_reason=None,
        approved_by="m@x",
        approved_at=datetime(2026, 3, 10, tzinfo=UTC),
        paid_on=date(2026, 3, 12),
        transfer_reference="VIR-1",
        cancel_reason=None,
        glossary={},
        rounding="",
    )
    return Payslip(
        found,
        Issuer("AA DENIS MOBILITÉS", "73282932000074"),
        dict(WINDOWS),
        datetime(2026, 3, 9, tzinfo=UTC),
        1,
    )


def blank() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    return bytes(pdf.output())


def blank_zip(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for n in range(count):
            archive.writestr(f"{n}.pdf", blank())
    return out.getvalue()


def median_ms(make: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        make()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def seconds(make: object) -> float:
    start = time.perf_counter()
    make()  # type: ignore[operator]
    return time.perf_counter() - start


def streamed(slips: list[Payslip]) -> tuple[float, float, int, int]:
    """The streamed ZIP: seconds in all, seconds to its first bytes, its size, and the
    largest piece handed on at once."""
    start = time.perf_counter()
    first, size, largest = None, 0, 0
    for chunk in zip_chunks(slips):
        first = first if first is not None else time.perf_counter() - start
        size, largest = size + len(chunk), max(largest, len(chunk))
    return time.perf_counter() - start, first or 0.0, size, largest


def main() -> None:
    one = slip(0)
    render(one)  # the font files' first read
    pdf_ms, blank_ms = median_ms(lambda: render(one), 30), median_ms(blank, 30)
    count = scaled(1500)
    slips = [slip(n) for n in range(count)]
    zip_s, first_s, zip_bytes, largest = streamed(slips)
    blank_s = seconds(lambda: blank_zip(count))
    size = len(to_zip(slips[:10])) // 10
    report(
        "payslips",
        [
            f"one statement PDF: {pdf_ms:.1f} ms median (blank page {blank_ms:.2f} ms); "
            "goal < 150 ms",
            f"ZIP of {count} PDFs: {zip_s:.1f} s (of blank pages {blank_s:.1f} s); goal < 180 s "
            f"for 1,500 (~{zip_s / count * 1500:.0f} s at this rate), ~{size // 1024} kB a PDF",
            f"  streamed: first bytes after {first_s * 1000:.0f} ms, largest piece held "
            f"{largest // 1024} kB of {zip_bytes // 1024 // 1024} MB",
        ],
        {
            "pdf_ms": pdf_ms,
            "blank_ms": blank_ms,
            "zip_count": count,
            "zip_s": zip_s,
            "blank_zip_s": blank_s,
            "zip_s_per_1500": zip_s / count * 1500,
            "pdf_bytes": size,
            "zip_first_bytes_ms": first_s * 1000,
            "zip_largest_chunk_bytes": largest,
            "zip_bytes": zip_bytes,
        },
    )


if __name__ == "__main__":
    main()
