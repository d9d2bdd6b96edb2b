"""The people projection's statements, formatted once per set of tables (live or shadow)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from projector.projection import quote_table

TABLES = ("people", "people_identities", "people_suggestions", "people_vetoes", "people_history")

_STATEMENTS = {
    "get_identity": "SELECT person_id, phone_key, email_key, name_key, plate_key "
    "FROM {people_identities} WHERE org_id = $1 AND identity_id = $2",
    # Observed fields only: the person is the fold's to set, and first_seen_at the insert's.
    # A newer position wins: a parked event retried later must not undo a newer one.
    "upsert_identity": """
INSERT INTO {people_identities} AS i (org_id, identity_id, provider, driver_id, account_id,
    first_name, last_name, email, phone, plate, phone_key, email_key, name_key, plate_key,
    first_seen_at, updated_at, last_position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16)
ON CONFLICT (org_id, identity_id) DO UPDATE SET
    account_id = excluded.account_id, first_name = excluded.first_name,
    last_name = excluded.last_name, email = excluded.email, phone = excluded.phone,
    plate = excluded.plate, phone_key = excluded.phone_key, email_key = excluded.email_key,
    name_key = excluded.name_key, plate_key = excluded.plate_key,
    updated_at = excluded.updated_at, last_position = excluded.last_position
WHERE i.last_position < excluded.last_position
""",
    "known_keys": """
SELECT i.org_id, i.identity_id, i.phone_key, i.email_key, i.name_key, i.plate_key
FROM unnest($1::uuid[], $2::text[]) AS k(org_id, identity_id)
JOIN {people_identities} i ON i.org_id = k.org_id AND i.identity_id = k.identity_id
""",
    # Fields that are not keys, for identities already written (keys are written by
    # upsert_identity, in log order); a newer position wins.
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
    # One index lookup per key (people_identities_phone, _email, _name; a BitmapOr).
    "candidates": """
SELECT identity_id, person_id, phone_key, email_key, name_key, plate_key
FROM {people_identities}
WHERE org_id = $1 AND identity_id <> $2
  AND (phone_key = $3 OR email_key = $4 OR name_key = $5)
ORDER BY identity_id LIMIT 100
""",
    "vetoes": "SELECT identity_id, target FROM {people_vetoes} "
    "WHERE org_id = $1 AND identity_id = ANY($2::text[])",
    "add_veto": "INSERT INTO {people_vetoes} (org_id, identity_id, target, kind, position) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    "drop_veto": "DELETE FROM {people_vetoes} WHERE org_id = $1 AND identity_id = $2 "
    "AND target = $3",
    "move_vetoes": "UPDATE {people_vetoes} v SET target = $3 WHERE org_id = $1 AND target = $2 "
    "AND NOT EXISTS (SELECT 1 FROM {people_vetoes} w WHERE w.org_id = $1 "
    "AND w.identity_id = v.identity_id AND w.target = $3)",
    "drop_target_vetoes": "DELETE FROM {people_vetoes} WHERE org_id = $1 AND target = $2",
    "set_person": "UPDATE {people_identities} SET person_id = $3, linked_by = $4 "
    "WHERE org_id = $1 AND identity_id = ANY($2::text[])",
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
