"""The rows of ``REPORT_TYPE_PAYMENTS_ORDER``: one per paid Uber trip, in English or French.

Uber documents the identifiers (``Transaction UUID``, ``Driver UUID``, names, ``Trip UUID``)
and Organization Name, Organization Alias, Processed At, Earnings, Payouts, Cash Collected,
Transferred to Bank Account and Description; fleets also see French headers (``Revenus
totaux``, ``Versements``, ``Espèces collectées``…). The order of the columns is ours, so a
client reading them by position is wrong in one language or the other; a few columns no
client is expected to know (``Local Time``, the fare's detail) come along.

Amounts are the same as U7's for the same trip: earnings = fare - service fee + tip. A cash
trip's fare was collected by the driver (``Cash Collected``, negative: already in the
driver's hands; simulated Uber riders all pay by card today, so it is 0); nothing is
transferred per trip. French amounts use a decimal comma. The French names of the
identifier and organisation columns are our assumption (only the money ones are known).
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.activity import Trip
from simulator.uber_metrics import euros
from simulator.uber_money import transaction_uuid
from simulator.uber_timefmt import iso_utc
from simulator.world import UberDriver, UberOrg

Row = Sequence[str]
HEADERS: dict[str, tuple[str, ...]] = {
    "en": (
        "Transaction UUID", "Driver UUID", "Driver FirstName", "Driver Surname", "Trip UUID",
        "Description", "Organization Name", "Organization Alias", "Processed At", "Local Time",
        "Earnings", "Payouts", "Cash Collected", "Transferred to Bank Account",
        "Your earnings : Fare", "Your earnings : Service Fee", "Your earnings : Tip",
    ),
    "fr": (
        "UUID de la transaction", "UUID du chauffeur", "Prénom du chauffeur", "Nom du chauffeur",
        "UUID de la course", "Description", "Nom de l'organisation", "Alias de l'organisation",
        "Date de traitement", "Heure locale", "Revenus totaux", "Versements",
        "Versements : Espèces collectées", "Versements : Transferts vers un compte bancaire",
        "Revenus totaux : Prix net de la course", "Revenus totaux : Frais de service",
        "Revenus totaux :Pourboire",
    ),
}  # fmt: skip
# The columns in the order each language writes them (a permutation of the English order).
ORDER: dict[str, tuple[int, ...]] = {
    "en": tuple(range(17)),
    "fr": (1, 2, 3, 0, 4, 8, 9, 10, 11, 12, 13, 5, 6, 7, 14, 15, 16),
}


def amount(cents: int, language: str) -> str:
    """``-12.34`` for -1234 cents (``-12,34`` in French; exact: no float)."""
    text = euros(cents)
    return text.replace(".", ",") if language == "fr" else text


def header(language: str) -> Row:
    """The header line in ``language``."""
    return [HEADERS[language][i] for i in ORDER[language]]


def row(org: UberOrg, driver: UberDriver, trip: Trip, language: str) -> Row:
    """One row, its columns in ``language``'s order."""
    earnings = trip.fare_cents - trip.commission_cents + trip.tip_cents
    cash = -trip.fare_cents if trip.payment_method == "cash" else 0
    paid_at = iso_utc(int(trip.paid_at or trip.closed_at))
    values = (
        transaction_uuid(trip), driver.driver_id, driver.first_name, driver.last_name,
        trip.trip_id, "trip completed order", org.name, org.name.lower().replace(" ", "-"),
        paid_at, paid_at[:19].replace("T", " "),
        *(amount(c, language) for c in (earnings, cash, cash, 0)),
        *(amount(c, language) for c in (trip.fare_cents, -trip.commission_cents, trip.tip_cents)),
    )  # fmt: skip
    return [values[i] for i in ORDER[language]]
