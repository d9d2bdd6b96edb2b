"""Build deploy/supabase/schema.sql: our migrations for a Supabase project, in one file.

    python deploy/supabase/build_schema.py              # write schema.sql
    python deploy/supabase/build_schema.py --check      # exit 1 when schema.sql is stale
    python deploy/supabase/build_schema.py --access-only  # print only the Supabase section

The file is the migrations of ``migrations/`` concatenated in dependency order (yoyo's
``-- depends:`` lines, ties broken by file name), followed by a generated section giving
Supabase's ``authenticated`` role the same tenant isolation our ``fleet_api`` role has:

* every ``CREATE POLICY ... TO fleet_api`` keyed on ``app.org_id`` gets a twin policy
  ``<name>_supabase`` for ``authenticated``, keyed on the JWT's org claim
  ``(auth.jwt() ->> 'org_id')::uuid``; our own policies for our roles stay as they are;
* Supabase grants every new table in ``public`` to ``anon`` and ``authenticated`` by default:
  the section takes that back and grants ``authenticated`` SELECT on the tables it has a
  policy for, except those in ``NOT_FOR_AUTHENTICATED`` (``users`` holds password hashes).
  ``anon`` gets nothing. Functions stay with ``fleet_api`` (they read ``app.org_id``).

The section is idempotent (``DROP POLICY IF EXISTS`` first), so it can be re-applied after
``fleet migrate`` has brought a database to a newer schema.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "migrations"
SCHEMA = Path(__file__).resolve().parent / "schema.sql"

API_ROLE = "fleet_api"
SUPABASE_ROLE = "authenticated"
APP_ORG = "nullif(current_setting('app.org_id', true), '')::uuid"
JWT_ORG = "(auth.jwt() ->> 'org_id')::uuid"
NOT_FOR_AUTHENTICATED = frozenset({"users"})

_DEPENDS = re.compile(r"^--\s*depends:(.*)$", re.MULTILINE)
_POLICY = re.compile(
    r"CREATE\s+POLICY\s+(?P<name>\w+)\s+ON\s+(?P<table>[\w.]+)(?P<head>[^;]*?)"
    rf"\bTO\s+{API_ROLE}\b(?P<body>[^;]*);",
    re.IGNORECASE,
)
_DROP_TABLE = re.compile(r"DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?P<table>[\w.]+)\s*;", re.IGNORECASE)


@dataclass(frozen=True)
class Migration:
    id: str
    sql: str
    depends: tuple[str, ...]


def read_migrations(folder: Path = MIGRATIONS) -> list[Migration]:
    """The forward migrations of ``folder`` (rollback files left out)."""
    found = []
    for path in sorted(folder.glob("*.sql")):
        if path.name.endswith(".rollback.sql"):
            continue
        sql = path.read_text(encoding="utf-8")
        depends = tuple(d for m in _DEPENDS.finditer(sql) for d in m.group(1).split())
        found.append(Migration(path.stem, sql, depends))
    return found


def dependency_order(migrations: list[Migration]) -> list[Migration]:
    """Topological order of the ``-- depends:`` graph; among the ready ones, by id."""
    by_id = {m.id: m for m in migrations}
    for m in migrations:
        if missing := [d for d in m.depends if d not in by_id]:
            raise ValueError(f"{m.id} depends on unknown migration(s) {missing}")
    done: list[Migration] = []
    placed: set[str] = set()
    while len(done) < len(migrations):
        ready = [m for m in migrations if m.id not in placed and set(m.depends) <= placed]
        if not ready:
            cycle = sorted(m.id for m in migrations if m.id not in placed)
            raise ValueError(f"dependency cycle among {cycle}")
        first = min(ready, key=lambda m: m.id)
        done.append(first)
        placed.add(first.id)
    return done


def supabase_access(sql: str) -> str:
    """The generated Supabase section for the policies and tables found in ``sql``."""
    lines = [
        "-- Supabase: the authenticated role sees its own org only, keyed on the JWT claim.",
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM anon, authenticated;",
        "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM anon, authenticated;",
        "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM anon, authenticated;",
        "",
    ]
    twins: dict[str, list[str]] = {}  # by table, in the order the migrations create them
    for match in sorted([*_POLICY.finditer(sql), *_DROP_TABLE.finditer(sql)], key=_start):
        table = match["table"]
        if match.re is _DROP_TABLE:  # a later migration dropped it, and its policies with it
            twins.pop(table, None)
            continue
        if APP_ORG not in match["body"]:
            continue
        twin = f"{match['name']}_supabase"
        body = match["body"].replace(APP_ORG, JWT_ORG)
        twins.setdefault(table, []).extend(
            [
                f"DROP POLICY IF EXISTS {twin} ON {table};",
                f"CREATE POLICY {twin} ON {table}{match['head']}TO {SUPABASE_ROLE}{body};",
            ]
        )
    tables = list(twins)
    lines += [line for table in tables for line in twins[table]]
    granted = [t for t in tables if t not in NOT_FOR_AUTHENTICATED]
    lines += ["", f"GRANT SELECT ON {', '.join(granted)} TO {SUPABASE_ROLE};"] if granted else []
    return "\n".join(lines) + "\n"


def _start(match: re.Match[str]) -> int:
    return match.start()


def build(folder: Path = MIGRATIONS) -> str:
    """The whole schema.sql text for the migrations in ``folder``."""
    ordered = dependency_order(read_migrations(folder))
    parts = [
        "-- GENERATED by deploy/supabase/build_schema.py from migrations/: do not edit.",
        "-- Regenerate with `python deploy/supabase/build_schema.py` after adding a migration.",
        f"-- Migrations, in dependency order: {', '.join(m.id for m in ordered)}.",
        "-- Needs Supabase's auth schema (auth.jwt()) and its anon/authenticated roles.",
        "",
    ]
    for m in ordered:
        parts += [f"-- ==== migration {m.id} " + "=" * max(0, 70 - len(m.id)), m.sql.rstrip()]
        parts.append("")
    sql = "\n".join(parts)
    parts += ["-- ==== Supabase access (generated) " + "=" * 50, supabase_access(sql)]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--check", action="store_true", help="exit 1 if schema.sql is stale")
    args.add_argument("--access-only", action="store_true", help="print the Supabase section")
    opts = args.parse_args(argv)
    text = build()
    if opts.access_only:
        sys.stdout.write(supabase_access(text))
        return 0
    if opts.check:
        current = SCHEMA.read_text(encoding="utf-8") if SCHEMA.exists() else ""
        if current != text:
            print(f"{SCHEMA} is stale: run python deploy/supabase/build_schema.py")
            return 1
        return 0
    SCHEMA.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
