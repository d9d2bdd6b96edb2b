"""The rows of a PAYMENTS_ORDER file as money events, each column found by its header.

Why by header: the columns' order is not documented past the first five, and fleets see
them in English or in French (``Revenus totaux``, ``Versements``, ``Espèces collectées``…),
so a position that is right in one file is wrong in the next. A header is compared folded
(accents and case dropped, spaces around ``:`` and repeated spaces removed); a name with a
path (``Versements : Espèces collectées``, ``Paid to you : Your earnings``) matches by its
whole name first, then by its last part. A column no name matches stays in the row's
``columns``, as every column does, so nothing in the file is lost to the log.

Each row's entity id is its ``Transaction UUID``, the id of the U7 transaction of the same
payment: a payment seen by both is one transaction in the read model. A row seen again in
another report of the same day is unchanged (``row_hash``): it appends nothing. A row without one,
or without a readable Processed At or Earnings (a money event needs a time and an amount),
is quarantined with its columns; the rest of the file goes in.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence

import msgspec

from contracts import uber_report_rows as c
from eventlog.store import Observation, canonical_hash
from ingest.pages import Decoded, Reject

ZIP_MAGIC = b"PK\x03\x04"
# Field of UberPaymentOrderRow -> its header names, folded (see fold). The French names of
# the money columns are the ones fleets export; the others are our best reading.
NAMES: dict[str, tuple[str, ...]] = {
    "transaction_uuid": ("transaction uuid", "uuid de la transaction", "uuid de transaction"),
    "driver_uuid": ("driver uuid", "uuid du chauffeur"),
    "trip_uuid": ("trip uuid", "uuid de la course", "uuid du trajet"),
    "description": ("description",),
    "processed_at": ("processed at", "vs reporting", "date de traitement", "traite le"),
    "organization_name": ("organization name", "organisation name", "nom de l'organisation"),
    "organization_alias": ("organization alias", "alias de l'organisation"),
    "earnings": ("earnings", "your earnings", "revenus totaux"),
    "payouts": ("payouts", "versements"),
    "cash_collected": ("cash collected", "especes collectees"),
    "transferred_to_bank_account": (
        "transferred to bank account", "transferts vers un compte bancaire",
    ),
}  # fmt: skip
_FIELD_OF = {name: field for field, names in NAMES.items() for name in names}


def fold(header: str) -> str:
    """``Versements : Espèces collectées`` -> ``versements:especes collectees``."""
    plain = unicodedata.normalize("NFKD", header.replace("\u2019", "'"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    return ":".join(" ".join(part.split()) for part in plain.split(":"))


def header_fields(header: Sequence[str]) -> dict[str, int]:
    """Field -> column index: whole names first, then a path's last part, first come."""
    folded = [fold(h) for h in header]
    found: dict[str, int] = {}
    for candidates in (folded, [f.rsplit(":", 1)[-1] for f in folded]):
        for index, name in enumerate(candidates):
            field = _FIELD_OF.get(name)
            if field is not None and field not in found and index not in found.values():
                found[field] = index
    return found


def csv_tables(content: bytes) -> Iterator[list[list[str]]]:
    """Each CSV of the file (one, or every CSV of a zip), as rows with the header first."""
    if not content.startswith(ZIP_MAGIC):
        yield _table(content)
        return
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in sorted(n for n in archive.namelist() if n.lower().endswith(".csv")):
            yield _table(archive.read(name))


def _table(content: bytes) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) if row]


def decode_rows(report_id: str, content: bytes) -> Decoded:
    """Every data row of the file, as an observation or (no transaction id) a reject."""
    out = Decoded()
    for header, *rows in (t for t in csv_tables(content) if t):
        fields = header_fields(header)
        for row in rows:
            _decode_row(report_id, header, fields, row, out)
    return out


def _decode_row(
    report_id: str, header: Sequence[str], fields: dict[str, int], row: list[str], out: Decoded
) -> None:
    columns = dict(zip(header, row, strict=False))
    values = {f: row[i].strip() for f, i in fields.items() if i < len(row) and row[i].strip()}
    problem = _problem(values)
    if problem:
        raw = msgspec.json.encode({"report_id": report_id, "columns": columns})
        out.rejects.append(Reject(raw, f"payment_order_row: {problem}"))
        return
    observed = c.UberPaymentOrderRow(report_id=report_id, columns=columns, **values)
    record = msgspec.json.encode(observed)
    out.observations.append(
        Observation(
            values["transaction_uuid"],
            c.PAYMENT_ORDER_ROW_OBSERVED,
            c.PAYMENT_ORDER_ROW_OBSERVED_VERSION,
            record,
            row_hash(observed),
        )
    )


def row_hash(row: c.UberPaymentOrderRow) -> bytes:
    """The hash the log compares to tell a changed row: its content, not the report that
    carried it. A day's report asked again (a new report id) then appends only the rows
    that changed, never its unchanged rows a second time (docs/QUALITY.md)."""
    return canonical_hash(msgspec.json.encode(msgspec.structs.replace(row, report_id="")))


def _problem(values: dict[str, str]) -> str:
    """Why a row cannot be a money event (empty: it can): no id, no time, or no amount."""
    if "transaction_uuid" not in values:
        return "no Transaction UUID"
    if c.report_time(values.get("processed_at")) is None:
        return f"no readable Processed At ({values.get('processed_at')!r})"
    if c.report_decimal(values.get("earnings")) is None:
        return f"no readable Earnings ({values.get('earnings')!r})"
    return ""
