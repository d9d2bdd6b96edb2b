"""A settlement as a one-person, one-week PDF statement in French (*relevé de paie*).

Pure: the settlement, the issuer and the freshness in, the PDF's bytes out (no I/O but the
font files, read once). Rendered with fpdf2 and DejaVu Sans, embedded from
``query_api/fonts/``: fpdf2's built-in fonts are Latin-1 only (no €, no œ, no Ș or ł in a
driver's name), and a font shipped with the code works on a machine that has only Python.
The files are DejaVu Sans cut to the Latin scripts, punctuation and € (pyftsubset,
docs/PAYSLIPS.md): the whole font took 80 ms to parse per document, the cut one 10 ms.

The footer's SHA-256 is that of the statement's canonical JSON (keys sorted), the same bytes
whose first 32 hex digits are the draft's ETag: anyone holding the API's answer can check
that a printed statement shows those figures.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec
from fpdf import FPDF

from contracts.settlement import FIGURES, Block, Statement, StatementLine
from query_api.schemas_settlements import Settlement

PARIS = ZoneInfo("Europe/Paris")
FONTS = Path(__file__).parent / "fonts"
FONT = "DejaVu"
STATUS_FR = {"draft": "Brouillon", "approved": "Approuvé", "paid": "Payé", "cancelled": "Annulé"}
SCHEME_FR = {"salaried": "Salarié", "rental": "Location", "split": "Partage du chiffre"}
PLATFORM = {"uber": "Uber", "bolt": "Bolt"}
_CANONICAL = msgspec.json.Encoder(order="sorted")


@dataclass(frozen=True)
class Issuer:
    """The fleet as the statement names it: ``FLEET_COMPANY_NAME``, ``FLEET_SIRET``."""

    name: str
    siret: str | None = None


@dataclass(frozen=True)
class Payslip:
    """Everything one PDF shows."""

    settlement: Settlement
    issuer: Issuer
    windows: dict[str, tuple[datetime, datetime]]  # each platform's money week, UTC
    data_as_of: datetime | None  # when the log's latest event was recorded
    position: int  # the log's head when it was read


def figures_sha256(statement: Statement) -> str:
    """SHA-256 of the statement's canonical JSON; its first 32 digits are the ETag."""
    return hashlib.sha256(_CANONICAL.encode(statement)).hexdigest()


def euros(cents: int) -> str:
    """``-123456`` → ``-1 234,56 €`` (French grouping, a plain space: pdftotext keeps it)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", " ") + f",{part:02d} €"


def paris(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


class _Pdf(FPDF):
    def __init__(self, footer_lines: list[str]) -> None:
        super().__init__(format="A4")
        self._footer_lines = footer_lines
        self.add_font(FONT, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_auto_page_break(True, margin=28)
        self.set_creator("Fleet Manager")

    def footer(self) -> None:
        self.set_y(-24)
        self.set_font(FONT, "", 7)
        self.set_text_color(90)
        for text in self._footer_lines:
            self.cell(0, 4, text, new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 4, f"Page {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0)


def render(slip: Payslip) -> bytes:
    """The statement's PDF: header, week, one block per platform, lines, balance, status."""
    found = slip.settlement
    pdf = _Pdf(_footer(slip))
    pdf.set_title(f"Relevé {found.week} - {found.display_name}")
    pdf.add_page()
    _header(pdf, slip)
    statement = found.statement
    if statement is None:
        _text(pdf, "Aucun relevé pour cette semaine.")
    else:
        for block in statement.blocks:
            _block(pdf, block, statement.lines)
        _other_lines(pdf, statement.lines)
        _balance(pdf, statement.balance)
    _status(pdf, found)
    return bytes(pdf.output())


def _footer(slip: Payslip) -> list[str]:
    found = slip.settlement
    fresh = paris(slip.data_as_of) if slip.data_as_of is not None else "aucune donnée"
    digest = figures_sha256(found.statement) if found.statement is not None else "-"
    at = f"calculé à la position {found.computed_at}" if found.computed_at else "brouillon"
    return [
        f"Données à jour au {fresh} (journal, position {slip.position}) ; relevé {at}.",
        f"Relevé {found.settlement_id}",
        f"SHA-256 des montants : {digest}",
    ]


def _header(pdf: _Pdf, slip: Payslip) -> None:
    found = slip.settlement
    pdf.set_font(FONT, "B", 13)
    pdf.cell(0, 7, slip.issuer.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    if slip.issuer.siret:
        pdf.cell(0, 5, f"SIRET {slip.issuer.siret}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, "B", 15)
    pdf.cell(0, 9, f"Relevé de la semaine {found.week}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    _text(pdf, f"Chauffeur : {found.display_name}")
    if found.statement is not None:
        _text(pdf, f"Formule : {_scheme(found.statement)}")
    for provider, (start, end) in slip.windows.items():
        _text(pdf, f"{PLATFORM.get(provider, provider)} : du {paris(start)} au {paris(end)}")
    pdf.ln(2)


def _scheme(statement: Statement) -> str:
    scheme = statement.scheme
    name = SCHEME_FR.get(scheme.kind, scheme.kind)
    if scheme.kind == "rental":
        return f"{name}, loyer {euros(scheme.rent)} HT"
    if scheme.kind == "split":
        mode = "direct" if scheme.mode == "direct" else "inclus"
        return f"{name} ({mode}), part de la flotte {scheme.fleet_share / 100:g} %"
    return name


def _text(pdf: _Pdf, text: str) -> None:
    pdf.cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")


def _block(pdf: _Pdf, block: Block, lines: list[StatementLine]) -> None:
    name = PLATFORM.get(block.provider, block.provider)
    pdf.set_font(FONT, "B", 11)
    pdf.set_fill_color(235)
    trips = f"{block.trips} course{'s' if block.trips > 1 else ''}"
    pdf.cell(0, 7, f"{name} — {trips}", fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    glossary = FIGURES.get(block.provider, {})  # type: ignore[call-overload]
    for key, amount in block.figures.items():
        if amount:
            _row(pdf, glossary.get(key, key), amount, indent=4, grey=True)
    pdf.set_font(FONT, "", 10)
    for line in lines:
        if line.provider == block.provider:
            _line(pdf, line)
    pdf.ln(2)


def _other_lines(pdf: _Pdf, lines: list[StatementLine]) -> None:
    others = [x for x in lines if x.provider is None]
    if not others:
        return
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 7, "Autres lignes", fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    for line in others:
        _line(pdf, line)
    pdf.ln(2)


def _line(pdf: _Pdf, line: StatementLine) -> None:
    label = line.label
    if line.ht is not None and line.vat is not None:
        label += f" (HT {euros(line.ht)}, TVA {euros(line.vat)})"
    if line.receipt:
        label += f" — justificatif {line.receipt}"
    _row(pdf, label, line.amount)


def _row(pdf: _Pdf, label: str, amount: int, *, indent: float = 0, grey: bool = False) -> None:
    if grey:
        pdf.set_text_color(100)
    width = pdf.epw - 40 - indent
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(width, 5.5, label, new_x="RIGHT", new_y="TOP")
    pdf.cell(40, 5.5, euros(amount), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)


def _balance(pdf: _Pdf, balance: int) -> None:
    label = "Net à verser" if balance >= 0 else "Solde dû"
    pdf.set_font(FONT, "B", 12)
    pdf.cell(pdf.epw - 40, 8, label, border="T")
    pdf.cell(40, 8, euros(abs(balance)), border="T", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _status(pdf: _Pdf, found: Settlement) -> None:
    pdf.set_font(FONT, "", 10)
    parts = [f"Statut : {STATUS_FR.get(found.status, found.status)}"]
    if found.approved_at is not None:
        parts.append(f"approuvé le {paris(found.approved_at)}")
    if found.paid_on is not None:
        parts.append(f"payé le {day(found.paid_on)} (virement {found.transfer_reference})")
    if found.cancel_reason:
        parts.append(f"annulé : {found.cancel_reason}")
    pdf.multi_cell(0, 5.5, ", ".join(parts), new_x="LMARGIN", new_y="NEXT")
    if found.incomplete:
        names = ", ".join(PLATFORM.get(p, p) for p in found.incomplete)
        pdf.multi_cell(0, 5.5, f"Semaine incomplète : {names}", new_x="LMARGIN", new_y="NEXT")
    if found.override_reason:
        pdf.multi_cell(0, 5.5, f"Approuvé malgré tout : {found.override_reason}",
                       new_x="LMARGIN", new_y="NEXT")  # fmt: skip
