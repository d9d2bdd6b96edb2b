"""Reading the people tables, for the people routes and for the answers of decisions.

Every statement names the org (``$1``) itself: the read routes run them under row-level
security, which adds the same condition, and the decision service runs them on the writer's
connection (query_api/people_writes.py), where only that condition keeps tenants apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg
import msgspec

from projector.people.keys import fold_text, phone_key, plate_key
from query_api.schemas_people import Person, PersonDetail, PersonIdentity, PersonVehicle

IDENTITY_COLUMNS = (
    "i.identity_id, i.provider, i.driver_id, i.account_id, i.person_id, i.linked_by, "
    "i.first_name, i.last_name, i.email, i.phone, i.plate, i.updated_at"
)
# A person's identities as one JSON array, so that a page of people is one statement.
_IDENTITIES = f"""(
    SELECT coalesce(json_agg(x ORDER BY x.identity_id), '[]')
    FROM (SELECT {IDENTITY_COLUMNS} FROM people_identities i
          WHERE i.org_id = p.org_id AND i.person_id = p.person_id) x
)"""  # noqa: S608 (constants only)
PERSON_COLUMNS = (
    f"p.person_id, p.display_name, p.created_at, p.updated_at, {_IDENTITIES} AS identities"
)
_IDENTITY_LIST = msgspec.json.Decoder(list[PersonIdentity])

# A search matches a person by any identity: the phone as E.164, the e-mail, the plate
# without separators, or every word of a name (accents and case folded), or the person's
# own name. $2-$6 come from PeopleSearch.
SEARCH = """p.person_id IN (
    SELECT i.person_id FROM people_identities i
    WHERE i.org_id = $1 AND i.person_id IS NOT NULL
      AND (i.phone_key = $2 OR i.email_key LIKE $3 OR i.plate_key LIKE $4
           OR i.name_key LIKE ALL($5::text[]))
    UNION SELECT q.person_id FROM people q WHERE q.org_id = $1 AND q.display_name ILIKE $6
)"""


def like(text: str) -> str:
    """``text`` as a LIKE pattern matching it anywhere (its wildcards escaped)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class PeopleSearch:
    """What ``q`` is, as each key: the parameters $2..$6 of ``SEARCH``."""

    phone: str | None
    email: str
    plate: str
    words: list[str]
    display: str

    @classmethod
    def of(cls, q: str) -> PeopleSearch:
        words = fold_text(q).split() or [q.strip()]
        return cls(
            phone=phone_key(q),
            email=like(q.strip().lower()),
            plate=like(plate_key(q) or "\x01"),  # no plate: a pattern nothing matches
            words=[like(w) for w in words],
            display=like(q.strip()),
        )

    def args(self) -> tuple[object, ...]:
        return (self.phone, self.email, self.plate, self.words, self.display)


def person_of(row: asyncpg.Record) -> Person:
    return Person(
        person_id=row["person_id"],
        display_name=row["display_name"],
        identities=_IDENTITY_LIST.decode(row["identities"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def identity_of(row: asyncpg.Record) -> PersonIdentity:
    return PersonIdentity(**{f: row[f] for f in PersonIdentity.__struct_fields__})


_ONE = f"SELECT {PERSON_COLUMNS} FROM people p WHERE p.org_id = $1 AND p.person_id = $2"  # noqa: S608

# The vehicles an identity's driver record names, with their plate and model where the
# platform's vehicles table knows them.
_VEHICLES = """
SELECT i.provider, i.identity_id, v.vehicle_id,
       coalesce(u.plate, b.plate) AS plate, coalesce(u.model, b.model) AS model
FROM people_identities i
JOIN drivers d ON d.org_id = i.org_id AND d.provider = i.provider AND d.driver_id = i.driver_id
CROSS JOIN LATERAL unnest(d.vehicle_ids) AS v(vehicle_id)
LEFT JOIN uber_vehicles u
       ON i.provider = 'uber' AND u.org_id = i.org_id AND u.vehicle_id = v.vehicle_id
LEFT JOIN bolt_vehicles b
       ON i.provider = 'bolt' AND b.org_id = i.org_id AND b.vehicle_uuid = v.vehicle_id
WHERE i.org_id = $1 AND i.person_id = $2
ORDER BY i.identity_id, v.vehicle_id
"""


async def one_person(conn: asyncpg.Connection, org_id: UUID, person_id: UUID) -> Person | None:
    """The person and their identities (None: not in this org)."""
    row = await conn.fetchrow(_ONE, org_id, person_id)
    return person_of(row) if row is not None else None


async def person_detail(
    conn: asyncpg.Connection, org_id: UUID, person_id: UUID
) -> PersonDetail | None:
    """The person, their identities and each identity's vehicles."""
    person = await one_person(conn, org_id, person_id)
    if person is None:
        return None
    rows = await conn.fetch(_VEHICLES, org_id, person_id)
    vehicles = [PersonVehicle(**{f: r[f] for f in PersonVehicle.__struct_fields__}) for r in rows]
    return PersonDetail(
        person.person_id, person.display_name, person.identities, vehicles,
        person.created_at, person.updated_at,
    )  # fmt: skip
