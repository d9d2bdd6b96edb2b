"""People decisions: what a manager decided about who is who, appended beside observations.

A person (chauffeur) owns platform identities — an Uber driver, a Bolt driver per company —
named ``<provider>:<driver id>`` (``uber:6f1c…``, ``bolt:91ab…``). Providers never say who is
who; managers do, and each of their decisions is one event of provider ``fleet`` in the log,
so the people tables are a projection of observations *and* decisions and a replay rebuilds
them exactly (docs/PEOPLE.md).

Every decision carries :class:`Decided` — who (user id and e-mail at the time), why (the
optional reason typed by the manager), from which request (request id, ``Idempotency-Key``);
when is the event's ``observed_at``. Person ids are chosen by the API (random UUIDs) and
written in the decision, never derived on replay.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from contracts.catalog import register

PROVIDER = "fleet"  # the source of decisions: our own managers, not a platform
ACCOUNT = "people"  # the log's account column for decisions

PERSON_CREATED = "people.person_created"
IDENTITY_LINKED = "people.identity_linked"
IDENTITY_UNLINKED = "people.identity_unlinked"
MERGED = "people.merged"
SPLIT = "people.split"
RENAMED = "people.renamed"
SUGGESTION_REJECTED = "people.suggestion_rejected"
DECISION_VERSION = 1  # every decision type is at version 1


class Decided(msgspec.Struct, frozen=True, kw_only=True):
    """Who decided, why and from which request (every decision has these fields)."""

    user_id: UUID
    user_email: str
    reason: str | None = None
    request_id: str | None = None
    idempotency_key: str | None = None


class PersonCreated(Decided, frozen=True, kw_only=True):
    """A new person, owning ``identity_ids`` (each must be nobody's)."""

    person_id: UUID
    display_name: str
    identity_ids: list[str] = []


class IdentityLinked(Decided, frozen=True, kw_only=True):
    """``identity_id`` now belongs to ``person_id`` (it belonged to nobody).

    ``suggestion_id`` is set when the link accepts a suggestion.
    """

    person_id: UUID
    identity_id: str
    suggestion_id: UUID | None = None


class IdentityUnlinked(Decided, frozen=True, kw_only=True):
    """``identity_id`` no longer belongs to ``person_id``; never re-linked to it automatically."""

    person_id: UUID
    identity_id: str


class PeopleMerged(Decided, frozen=True, kw_only=True):
    """``merged_person_id``'s identities move to ``person_id``, and it is gone."""

    person_id: UUID
    merged_person_id: UUID


class PersonSplit(Decided, frozen=True, kw_only=True):
    """``identity_ids`` leave ``person_id`` for the new person ``new_person_id``."""

    person_id: UUID
    new_person_id: UUID
    display_name: str
    identity_ids: list[str]


class PersonRenamed(Decided, frozen=True, kw_only=True):
    """The name managers see for ``person_id``."""

    person_id: UUID
    display_name: str


class SuggestionRejected(Decided, frozen=True, kw_only=True):
    """The two identities of a suggestion are not one person: never suggest them again."""

    suggestion_id: UUID
    identity_id: str
    other_identity_id: str


DECISIONS: dict[str, type[Decided]] = {
    PERSON_CREATED: PersonCreated,
    IDENTITY_LINKED: IdentityLinked,
    IDENTITY_UNLINKED: IdentityUnlinked,
    MERGED: PeopleMerged,
    SPLIT: PersonSplit,
    RENAMED: PersonRenamed,
    SUGGESTION_REJECTED: SuggestionRejected,
}
EVENT_TYPES: dict[type[Decided], str] = {record: name for name, record in DECISIONS.items()}

for _event_type, _record in DECISIONS.items():
    register(_event_type, DECISION_VERSION, _record)


def identity_id(provider: str, driver_id: str) -> str:
    """The id of a platform identity: ``<provider>:<driver id>``."""
    return f"{provider}:{driver_id}"


def split_identity_id(value: str) -> tuple[str, str]:
    """(provider, driver id) of an identity id; ValueError when it is not one."""
    provider, sep, driver_id = value.partition(":")
    if not sep or provider not in ("uber", "bolt") or not driver_id:
        raise ValueError(f"not an identity id: {value!r}")
    return provider, driver_id
