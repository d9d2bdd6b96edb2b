"""The people projection's statements, formatted once per set of tables (live or shadow)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from projector.projection import quote_table

TABLES = ("people", "people_identities", "people_suggestions", "people_vetoes", "people_history")

_ANY_OF_2 = "identity_id = ANY($2::text[])"
_LINK = """
WITH linked AS (
    UPDATE {people_identities} SET person_id = $3, linked_by = $4
    WHERE org_id = $1 AND identity_id = ANY($2::text[])
), touched AS (
    UPDATE {people} SET updated_at = $5, last_position = $6
    WHERE org_id = $1 AND person_id = $3
)"""
_LINK_SETTLED = """, members AS (
    SELECT identity_id FROM {people_identities} WHERE org_id = $1 AND person_id = $3
    UNION
    SELECT identity_id FROM {people_identities}
    WHERE org_id = $1 AND identity_id = ANY($2::text[])
)
DELETE FROM {people_suggestions} s
USING members a, members b
WHERE s.org_id = $1 AND s.identity_id = a.identity_id AND s.other_identity_id = b.identity_id
"""

# A manager's link of the identities ``mine`` (a CTE defined before this part: those of
# the decision's that exist and belong to nobody or to the person $2 already) to $2, as the
# fold ran it in statements (``owners``, ``link``, then a delete of each one's unlink veto),
# in one: ``mine`` reads the snapshot before the link, as ``owners`` did before it, and
# ``members`` reads it as ``link`` does. When ``mine`` is empty nothing changes, as when
# the fold linked nothing. ``touched`` reads the snapshot before the statement too, so it
# misses a person ``created`` inserts in the same statement: that row already holds the
# values it would set ($3, $4). $6: the person's id as text, as people_vetoes.target holds
# it (the vetoes are no other part's table).
_TAKE_MINE = """, linked AS (
    UPDATE {people_identities} SET person_id = $2, linked_by = 'manager'
    WHERE org_id = $1 AND identity_id IN (SELECT identity_id FROM mine)
), touched AS (
    UPDATE {people} SET updated_at = $3, last_position = $4
    WHERE org_id = $1 AND person_id = $2 AND EXISTS (SELECT 1 FROM mine)
), lifted AS (
    DELETE FROM {people_vetoes}
    WHERE org_id = $1 AND identity_id IN (SELECT identity_id FROM mine) AND target = $6
), members AS (
    SELECT identity_id FROM {people_identities} WHERE org_id = $1 AND person_id = $2
    UNION
    SELECT identity_id FROM mine
)
DELETE FROM {people_suggestions} s
USING members a, members b
WHERE s.org_id = $1 AND s.identity_id = a.identity_id AND s.other_identity_id = b.identity_id
  AND EXISTS (SELECT 1 FROM mine)
"""
_MINE = """mine AS (
    SELECT identity_id FROM {people_identities}
    WHERE org_id = $1 AND identity_id = ANY($5::text[])
      AND (person_id IS NULL OR person_id = $2)"""
_CREATED = """
WITH created AS (
    INSERT INTO {people} (org_id, person_id, display_name, created_at, updated_at,
        last_position)
    VALUES ($1, $2, $7, $3, $3, $4) ON CONFLICT DO NOTHING
), """
_PERSON_EXISTS = """
      AND EXISTS (SELECT 1 FROM {people} WHERE org_id = $1 AND person_id = $2)
)"""

_STATEMENTS = {
    # One observation that changes a key, in one round trip (a replay makes one per such
    # observation): the identity as it was (``before``), its upsert, the identities sharing
    # a key with it and the vetoes of all of them. The identities sharing a key are one
    # index lookup per key (people_identities_phone, _email, _name), written as a UNION:
    # with ``phone_key = $11 OR …`` and ``ORDER BY identity_id LIMIT 100``, the generic plan
    # of a prepared statement walked the primary key in identity order, every identity of
    # the org per observation (a rebuild quadratic in the fleet: bench/bench_people.py).
    #
    # The upsert writes observed fields only: the person is the fold's to set, and
    # first_seen_at the insert's; a newer position wins (a parked event retried later must
    # not undo a newer one). Every part reads the statement's snapshot, taken before the
    # upsert: ``before`` is the row as it was, and no other part reads the upserted row
    # (candidates exclude it; no veto is written here), so the parts read what separate
    # statements in this order read. The vetoes are those of the identity and of every
    # candidate, a superset of the pairs the fold tests, which is all it does with them.
    "observe": """
WITH before AS (
    SELECT identity_id, person_id, phone_key, email_key, name_key, plate_key
    FROM {people_identities} WHERE org_id = $1 AND identity_id = $2
), upserted AS (
    INSERT INTO {people_identities} AS i (org_id, identity_id, provider, driver_id,
        account_id, first_name, last_name, email, phone, plate, phone_key, email_key,
        name_key, plate_key, first_seen_at, updated_at, last_position)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16)
    ON CONFLICT (org_id, identity_id) DO UPDATE SET
        account_id = excluded.account_id, first_name = excluded.first_name,
        last_name = excluded.last_name, email = excluded.email, phone = excluded.phone,
        plate = excluded.plate, phone_key = excluded.phone_key,
        email_key = excluded.email_key, name_key = excluded.name_key,
        plate_key = excluded.plate_key, updated_at = excluded.updated_at,
        last_position = excluded.last_position
    WHERE i.last_position < excluded.last_position
), candidates AS (
    SELECT * FROM (
        SELECT identity_id, person_id, phone_key, email_key, name_key, plate_key
        FROM {people_identities} WHERE org_id = $1 AND phone_key = $11
        UNION
        SELECT identity_id, person_id, phone_key, email_key, name_key, plate_key
        FROM {people_identities} WHERE org_id = $1 AND email_key = $12
        UNION
        SELECT identity_id, person_id, phone_key, email_key, name_key, plate_key
        FROM {people_identities} WHERE org_id = $1 AND name_key = $13
    ) AS sharing
    WHERE identity_id <> $2
    ORDER BY identity_id LIMIT 100
)
SELECT b.identity_id IS NOT NULL AS found, b.person_id, b.phone_key, b.email_key,
    b.name_key, b.plate_key, c.ids, c.persons, c.phones, c.emails, c.names, c.plates,
    v.identities AS veto_identities, v.targets AS veto_targets
FROM (SELECT 1) AS one
LEFT JOIN before b ON true
CROSS JOIN (
    SELECT array_agg(identity_id ORDER BY identity_id) AS ids,
        array_agg(person_id ORDER BY identity_id) AS persons,
        array_agg(phone_key ORDER BY identity_id) AS phones,
        array_agg(email_key ORDER BY identity_id) AS emails,
        array_agg(name_key ORDER BY identity_id) AS names,
        array_agg(plate_key ORDER BY identity_id) AS plates
    FROM candidates
) c
CROSS JOIN (
    SELECT array_agg(identity_id) AS identities, array_agg(target) AS targets
    FROM {people_vetoes}
    WHERE org_id = $1
      AND identity_id = ANY(ARRAY[$2::text] || ARRAY(SELECT identity_id FROM candidates))
) v
""",
    "known_keys": """
SELECT i.org_id, i.identity_id, i.phone_key, i.email_key, i.name_key, i.plate_key
FROM unnest($1::uuid[], $2::text[]) AS k(org_id, identity_id)
JOIN {people_identities} i ON i.org_id = k.org_id AND i.identity_id = k.identity_id
""",
    # Fields that are not keys, for identities already written (keys are written by
    # observe, in log order); a newer position wins.
    "write_latest": """
UPDATE {people_identities} AS i SET
    account_id = r.account_id, first_name = r.first_name, last_name = r.last_name,
    email = r.email, phone = r.phone, plate = r.plate, updated_at = r.updated_at,
    last_position = r.last_position
FROM json_to_recordset($1::json) AS r(org_id uuid, identity_id text, account_id text,
    first_name text, last_name text, email text, phone text, plate text,
    updated_at timestamptz, last_position bigint)
WHERE i.org_id = r.org_id AND i.identity_id = r.identity_id
  AND i.last_position < r.last_position
""",
    "add_veto": "INSERT INTO {people_vetoes} (org_id, identity_id, target, kind, position) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    "move_vetoes": "UPDATE {people_vetoes} v SET target = $3 WHERE org_id = $1 AND target = $2 "
    "AND NOT EXISTS (SELECT 1 FROM {people_vetoes} w WHERE w.org_id = $1 "
    "AND w.identity_id = v.identity_id AND w.target = $3)",
    "drop_target_vetoes": "DELETE FROM {people_vetoes} WHERE org_id = $1 AND target = $2",
    "set_person": "UPDATE {people_identities} SET person_id = $3, linked_by = $4 "
    "WHERE org_id = $1 AND identity_id = ANY($2::text[])",
    # set_person, touch_person and drop_settled in one statement. Its parts read the
    # snapshot before set_person, so drop_settled's "is now the person's" reads "was the
    # person's or is one of those linked now" (``members``: the person's identities, by
    # people_identities_person, and those of the linked ones that exist), which is what
    # drop_settled reads after set_person; then a lookup of each pair of members.
    "link": _LINK + _LINK_SETTLED,
    # link of one identity ($2: its id), as an automatic link makes it. The prepared
    # statement's generic plan reads ``identity_id = ANY($2)`` through
    # people_identities_person (org_id, person_id, identity_id), a skip scan over every
    # person of the org (EXPLAIN ANALYZE on the year's 3,000 identities: 0.4-0.6 ms),
    # growing with the fleet; ``identity_id = $2`` is one probe of the primary key.
    "link_one": (_LINK + _LINK_SETTLED).replace(_ANY_OF_2, "identity_id = $2::text"),
    # A person created by a manager ($7: its name), and the identities it names that
    # nobody else owns become its own (``_TAKE_MINE``). One statement whose arguments are
    # the event's alone, so that a run of them is one ``executemany`` (``Writes``).
    "created": _CREATED + _MINE + "\n)" + _TAKE_MINE,
    # A manager's link of identities to a person, if the person exists.
    "linked": "WITH " + _MINE + _PERSON_EXISTS + _TAKE_MINE,
    "move_identities": "UPDATE {people_identities} SET person_id = $3 "
    "WHERE org_id = $1 AND person_id = $2",
    # Suggestions between identities that are now one person's have nothing left to suggest.
    "drop_settled": """
DELETE FROM {people_suggestions} s
USING {people_identities} a, {people_identities} b
WHERE s.org_id = $1 AND a.org_id = $1 AND b.org_id = $1
  AND a.identity_id = s.identity_id AND b.identity_id = s.other_identity_id
  AND a.person_id = $2 AND b.person_id = $2
""",
    "suggest": """
INSERT INTO {people_suggestions} AS s (org_id, suggestion_id, identity_id, other_identity_id,
    reasons, score, created_at, last_position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (org_id, suggestion_id) DO UPDATE SET
    reasons = excluded.reasons, score = excluded.score, last_position = excluded.last_position
""",
    "drop_suggestion": "DELETE FROM {people_suggestions} WHERE org_id = $1 "
    "AND identity_id = $2 AND other_identity_id = $3",
    "person_exists": "SELECT 1 FROM {people} WHERE org_id = $1 AND person_id = $2",
    "create_person": "INSERT INTO {people} (org_id, person_id, display_name, created_at, "
    "updated_at, last_position) VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT DO NOTHING",
    "touch_person": "UPDATE {people} SET updated_at = $3, last_position = $4 "
    "WHERE org_id = $1 AND person_id = $2",
    "rename_person": "UPDATE {people} SET display_name = $3, updated_at = $4, "
    "last_position = $5 WHERE org_id = $1 AND person_id = $2",
    "delete_person": "DELETE FROM {people} WHERE org_id = $1 AND person_id = $2",
    "owners": "SELECT identity_id, person_id FROM {people_identities} "
    "WHERE org_id = $1 AND identity_id = ANY($2::text[])",
    # create_person, then owners of $6 (a new person, then who owns the identities it
    # takes): the person is no table owners reads, so one statement reads the same.
    "create_person_owners": """
WITH created AS (
    INSERT INTO {people} (org_id, person_id, display_name, created_at, updated_at,
        last_position)
    VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT DO NOTHING
)
SELECT identity_id, person_id FROM {people_identities}
WHERE org_id = $1 AND identity_id = ANY($6::text[])
""",
    "history": """
INSERT INTO {people_history} (org_id, position, seq, kind, person_ids, identity_ids, reasons,
    user_id, user_email, reason, request_id, idempotency_key, decided_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
""",
}


@dataclass(frozen=True)
class PeopleSql:
    """Every statement of the fold, on one set of tables (``TABLES`` → actual names)."""

    statements: Mapping[str, str]

    def __getitem__(self, name: str) -> str:
        return self.statements[name]


def people_sql(tables: Mapping[str, str]) -> PeopleSql:
    """The statements on ``tables`` (each of ``TABLES`` to the name to write into)."""
    quoted = {t: quote_table(tables[t]) for t in TABLES}
    return PeopleSql({name: sql.format(**quoted) for name, sql in _STATEMENTS.items()})
