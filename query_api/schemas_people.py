"""Response bodies of the people routes: people, their platform identities, suggestions,
activity and decision history (docs/PEOPLE.md).

An identity is ``<provider>:<driver id>`` (``uber:…``, ``bolt:…``); ``person_id`` null means
unmapped. Money is integer minor units beside its currency; days are Europe/Paris days.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from query_api.schemas_overview import BoltFigures, OverviewDay, UberFigures


class PersonIdentity(msgspec.Struct):
    """A platform driver (Uber driver, Bolt driver of one company) and whose it is."""

    identity_id: str
    provider: str
    driver_id: str
    account_id: str
    person_id: UUID | None
    linked_by: str | None  # 'automatic' or 'manager'; null while unmapped
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    plate: str | None
    updated_at: datetime


class Person(msgspec.Struct):
    """A person (chauffeur) and every platform identity they own."""

    person_id: UUID
    display_name: str
    identities: list[PersonIdentity]
    created_at: datetime
    updated_at: datetime


class PersonPage(msgspec.Struct):
    items: list[Person]
    next_cursor: str | None


class PersonVehicle(msgspec.Struct):
    """A vehicle one of the person's identities drives, on its platform."""

    provider: str
    identity_id: str
    vehicle_id: str
    plate: str | None
    model: str | None


class PersonDetail(msgspec.Struct):
    person_id: UUID
    display_name: str
    identities: list[PersonIdentity]
    vehicles: list[PersonVehicle]
    created_at: datetime
    updated_at: datetime


class IdentityPage(msgspec.Struct):
    """Unmapped identities: platform drivers no person owns yet."""

    items: list[PersonIdentity]
    next_cursor: str | None


class Suggestion(msgspec.Struct):
    """Two identities that may be one person, why (in French) and how strongly (0-100)."""

    suggestion_id: UUID
    score: int
    reasons: list[str]
    identity: PersonIdentity
    other: PersonIdentity
    created_at: datetime


class SuggestionPage(msgspec.Struct):
    items: list[Suggestion]
    next_cursor: str | None


class PersonActivity(msgspec.Struct):
    """A person's figures on both platforms, per Paris day (zeros where none) and in total.

    ``active_drivers`` counts the person's identities with figures on that day.
    """

    person_id: UUID
    first_day: date
    last_day: date
    days: list[OverviewDay]
    uber: UberFigures
    bolt: BoltFigures


class PersonDecision(msgspec.Struct):
    """One decision about a person, or an automatic link (``people.automatic_link``, no user).

    ``kind`` is the decision's event type (``people.identity_linked``…); ``position`` its
    place in the event log.
    """

    position: int
    kind: str
    person_ids: list[UUID]
    identity_ids: list[str]
    reasons: list[str]
    user_id: UUID | None
    user_email: str | None
    reason: str | None
    request_id: str | None
    idempotency_key: str | None
    decided_at: datetime


class PersonHistory(msgspec.Struct):
    items: list[PersonDecision]
    next_cursor: str | None


PEOPLE_STRUCTS: list[type] = [
    PersonIdentity,
    Person,
    PersonPage,
    PersonVehicle,
    PersonDetail,
    IdentityPage,
    Suggestion,
    SuggestionPage,
    PersonActivity,
    PersonDecision,
    PersonHistory,
]
