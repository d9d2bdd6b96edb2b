"""The rows of ``REPORT_TYPE_PAYMENTS_ORDER``: one per Uber transaction, in English or French.

Uber documents the identifiers (``Transaction UUID``, ``Driver UUID``, names, ``Trip UUID``)
and Organization Name, Organization Alias, Processed At, Earnings, Payouts, Cash Collected,
Transferred to Bank Account and Description; fleets also see French headers (``Revenus
totaux``, ``Versements``, ``Espèces collectées``…). The order of the columns is ours, so a
client reading them by position is wrong in one language or the other; a few columns no
client is expected to know (``Local Time``, the fare's detail) come along.

Amounts are the same as U7's for the same transaction (``simulator.uber_ledger``): Earnings
are fare - service fee + tip + promotion + adjustment; the toll is a refund of its own column;
a cash trip's fare was collected by the driver (``Cash Collected`` and ``Payouts``, negative:
already in the driver's hands); nothing is transferred per trip. A late tip or a fare
adjustment is a row of its own, ``trip fare adjust order``, naming the trip. French amounts
use a decimal comma. The French names of the identifier and organisation columns, and of the
promotion, adjustment and toll ones, are our assumption (only the other money ones are known).
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.uber_ledger import Txn
from simulator.uber_metrics import euros
from simulator.uber_timefmt import iso_utc
from simulator.world import UberDriver, UberOrg

Row = Sequence[str]
HEADERS: dict[str, tuple[str, ...]] = {
    "en": (
        "Transaction UUID", "Driver UUID", "Driver FirstName", "Driver Surname", "Trip UUID",
        "Description", "Organization Name", "Organization Alias", "Processed At", "Local Time",
        "Earnings", "Payouts", "Cash Collected", "Transferred to Bank Account",
        "Your earnings : Fare", "Your earnings : Service Fee", "Your earnings : Tip",
        "Your earnings : Promotion", "Your earnings : Adjustment", "Refunds : Toll",
    ),
    "fr": (
        "UUID de la transaction", "UUID du chauffeur", "Prénom du chauffeur", "Nom du chauffeur",
        "UUID de la course", "Description", "Nom de l'organisation", "Alias de l'organisation",
        "Date de traitement", "Heure locale", "Revenus totaux", "Versements",
        "Versements : Espèces collectées", "Versements : Transferts vers un compte bancaire",
        "Revenus totaux : Prix net de la course", "Revenus totaux : Frais de service",
        "Revenus totaux :Pourboire", "Revenus totaux : Bonus",
        "Revenus totaux :Autres revenus:Ajustement",
        "Remboursements et notes de frais : Remboursements : Péage",
    ),
}  # fmt: skip
# The columns in the order each language writes them (a permutation of the English order).
ORDER: dict[str, tuple[int, ...]] = {
    "en": tuple(range(20)),
    "fr": (1, 2, 3, 0, 4, 8, 9, 10, 11, 12, 13, 5, 6, 7, 14, 15, 16, 17, 18, 19),
}


def amount(cents: int, language: str) -> str:
    """``-12.34`` for -1234 cents (``-12,34`` in French; exact: no float)."""
    text = euros(cents)
    return text.replace(".", ",") if language == "fr" else text


def header(language: str) -> Row:
    """The header line in ``language``."""
    return [HEADERS[language][i] for i in ORDER[language]]


DESCRIPTIONS = {"trip": "trip completed order", "late_tip": "trip fare adjust order",
                "adjustment": "trip fare adjust order"}  # fmt: skip


def row(org: UberOrg, driver: UberDriver, txn: Txn, language: str) -> Row:
    """One row, its columns in ``language``'s order."""
    parts = txn.parts()
    cash = parts.get("cash_collected", 0)
    paid_at = iso_utc(txn.processed_at)
    money = (txn.earnings, cash, cash, 0, parts.get("fare", 0), parts.get("service_fee", 0),
             parts.get("tip", 0), parts.get("promotion", 0), parts.get("adjustment", 0),
             parts.get("toll", 0))  # fmt: skip
    values = (
        txn.transaction_id, driver.driver_id, driver.first_name, driver.last_name,
        txn.trip.trip_id, DESCRIPTIONS[txn.kind], org.name, org.name.lower().replace(" ", "-"),
        paid_at, paid_at[:19].replace("T", " "), *(amount(c, language) for c in money),
    )  # fmt: skip
    return [values[i] for i in ORDER[language]]
