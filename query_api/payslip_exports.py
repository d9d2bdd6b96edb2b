"""A week's settlements as files: the accountant's CSV, the payroll CSV, a ZIP of the PDFs.

Pure: settlements in, bytes out. The CSV columns are a contract with the accountant's
spreadsheet: new columns go at the end, a column is never renamed or moved. Amounts are
euros with a dot and two decimals (``-12.50``), so any spreadsheet reads them as numbers;
``;`` separates, as French spreadsheets expect; UTF-8 with a BOM, so Excel shows accents.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator

from contracts.settlement import Block, Statement
from query_api.payslip_pdf import Payslip, figures_sha256, render
from query_api.schemas_settlements import Settlement

ACCOUNTING_COLUMNS = (
    "settlement_id", "week", "person_id", "name", "status", "scheme",
    "uber_revenue", "uber_tips", "uber_tolls", "uber_cash", "uber_trips",
    "bolt_revenue", "bolt_tips", "bolt_tolls", "bolt_cash", "bolt_trips",
    "fleet_fees_ht", "fleet_fees_vat", "manager_lines", "carried", "regularisations",
    "balance", "approved_at", "paid_on", "transfer_reference", "incomplete", "sha256",
)  # fmt: skip
PAYROLL_COLUMNS = (
    "settlement_id", "week", "person_id", "name", "status",
    "uber_revenue", "uber_tips", "uber_trips", "uber_hours_online", "uber_hours_on_trip",
    "bolt_revenue", "bolt_tips", "bolt_trips", "manager_lines", "balance",
    "bolt_hours_online", "bolt_hours_on_trip",
)  # fmt: skip
_MANAGER = ("recurring", "one_off")


def money(cents: int) -> str:
    """Cents as ``-12.50``: a number to every spreadsheet, never a float on the way."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _block(statement: Statement | None, provider: str) -> Block | None:
    blocks = statement.blocks if statement is not None else []
    return next((b for b in blocks if b.provider == provider), None)


def _platform(statement: Statement | None, provider: str) -> dict[str, str]:
    block = _block(statement, provider)
    if block is None:
        return {f"{provider}_{k}": "" for k in ("revenue", "tips", "tolls", "cash", "trips")}
    return {
        f"{provider}_revenue": money(block.shared),
        f"{provider}_tips": money(block.tips),
        f"{provider}_tolls": money(block.tolls),
        f"{provider}_cash": money(block.cash),
        f"{provider}_trips": str(block.trips),
    }


def _sum(statement: Statement | None, keep: Callable[[str], bool]) -> int:
    lines = statement.lines if statement is not None else []
    return sum(x.amount for x in lines if keep(x.kind))


def accounting_row(found: Settlement) -> dict[str, str]:
    """One person's week for the accountant: each platform apart, the fleet's fees HT and
    their VAT, the manager's lines, and the balance."""
    st = found.statement
    lines = st.lines if st is not None else []
    return {
        "settlement_id": found.settlement_id, "week": found.week,
        "person_id": str(found.person_id), "name": found.display_name, "status": found.status,
        "scheme": st.scheme.kind if st is not None else "",
        **_platform(st, "uber"), **_platform(st, "bolt"),
        "fleet_fees_ht": money(sum(x.ht for x in lines if x.ht is not None)),
        "fleet_fees_vat": money(sum(x.vat for x in lines if x.vat is not None)),
        "manager_lines": money(_sum(st, lambda k: k in _MANAGER)),
        "carried": money(_sum(st, lambda k: k == "opening")),
        "regularisations": money(_sum(st, lambda k: k == "regularisation")),
        "balance": money(st.balance) if st is not None else "",
        "approved_at": found.approved_at.isoformat() if found.approved_at else "",
        "paid_on": found.paid_on.isoformat() if found.paid_on else "",
        "transfer_reference": found.transfer_reference or "",
        "incomplete": ",".join(found.incomplete),
        "sha256": figures_sha256(st) if st is not None else "",
    }  # fmt: skip


def payroll_row(found: Settlement) -> dict[str, str]:
    """A salaried driver's week for payroll: revenue, trips and hours per platform (Bolt's
    hours came later, hence at the end: the columns before them never move)."""
    st = found.statement
    uber, bolt = _block(st, "uber"), _block(st, "bolt")
    return {
        "settlement_id": found.settlement_id, "week": found.week,
        "person_id": str(found.person_id), "name": found.display_name, "status": found.status,
        "uber_revenue": money(uber.shared) if uber else "",
        "uber_tips": money(uber.tips) if uber else "",
        "uber_trips": str(uber.trips) if uber else "",
        "uber_hours_online": hours(uber.minutes_online) if uber else "",
        "uber_hours_on_trip": hours(uber.minutes_on_trip) if uber else "",
        "bolt_revenue": money(bolt.shared) if bolt else "",
        "bolt_tips": money(bolt.tips) if bolt else "",
        "bolt_trips": str(bolt.trips) if bolt else "",
        "manager_lines": money(_sum(st, lambda k: k in _MANAGER)),
        "balance": money(st.balance) if st is not None else "",
        "bolt_hours_online": hours(bolt.minutes_online) if bolt else "",
        "bolt_hours_on_trip": hours(bolt.minutes_on_trip) if bolt else "",
    }  # fmt: skip


def hours(minutes: int) -> str:
    """Minutes as decimal hours, two places (``7.50``)."""
    return f"{minutes / 60:.2f}"


def is_salaried(found: Settlement) -> bool:
    return found.statement is not None and found.statement.scheme.kind == "salaried"


def to_csv(columns: tuple[str, ...], rows: Iterable[dict[str, str]]) -> bytes:
    """``;``-separated, a header row, UTF-8 with a BOM (Excel then reads the accents)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()


def pdf_name(found: Settlement) -> str:
    """``2026-W10_Dupont-Laurent_<id>.pdf``: sorted by week, readable, never colliding."""
    safe = "".join(c if c.isalnum() else "-" for c in found.display_name).strip("-")
    return f"{found.week}_{safe[:60]}_{found.person_id}.pdf"


class _Handed(io.RawIOBase):
    """A write-only stream that keeps what is written until it is taken. It cannot seek, so
    ``zipfile`` writes each entry's sizes after its data (a data descriptor) instead of going
    back to its header: the bytes of an entry are final as soon as they are written."""

    def __init__(self) -> None:
        super().__init__()
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out, self._chunks = b"".join(self._chunks), []
        return out


def zip_chunks(slips: Iterable[Payslip]) -> Iterator[bytes]:
    """The ZIP of one PDF per person, as it is written: each PDF is rendered when the one
    before has been handed on, so a week of 1,500 holds one PDF in memory at a time (and the
    archive's directory, about 100 bytes an entry), and the first bytes leave at once.
    Stored, not deflated: fpdf2 already compresses each page."""
    sink = _Handed()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for slip in slips:
            archive.writestr(pdf_name(slip.settlement), render(slip))
            yield sink.take()
    yield sink.take()  # the central directory, written on close


def to_zip(slips: Iterable[Payslip]) -> bytes:
    """The whole ZIP of :func:`zip_chunks` at once (for a small week, or a test)."""
    return b"".join(zip_chunks(slips))
