"""``fleet orgs`` and ``fleet credentials``, run as an operator runs them (a real process).

The secret goes in on standard input only, and comes out nowhere: not in the command's
output, not in ``credentials list``, not in the database as written.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import asyncpg

from core.config import DatabaseSettings
from core.credentials import load_credentials_key, new_key, open_sealed

SECRET = "s3cret-" + uuid.uuid4().hex


def fleet(db: DatabaseSettings, *args: str, stdin: str = "", key: str = "") -> tuple[int, str]:
    """Run ``fleet`` against the test database; its exit code and everything it printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UBER_", "BOLT_", "FLEET_"))}
    env.update(DATABASE_URL=db.owner_url, FLEET_CREDENTIALS_KEY=key or new_key())
    done = subprocess.run(
        [sys.executable, "-m", "fleet", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def test_a_second_org_is_created_with_the_cli_and_takes_users(db: DatabaseSettings) -> None:
    slug = f"other-{uuid.uuid4().hex[:8]}"
    user = ("users", "create", "--org", slug, "--role", "admin", "--password", "x" * 16)
    # Measured before: there was no way to create the org the user belongs to.
    code, out = fleet(db, *user, "--email", f"a-{slug}@example.test")
    assert code != 0 and "no org" in out

    assert fleet(db, "orgs", "create", "--slug", slug, "--name", "Other Fleet")[0] == 0
    code, out = fleet(db, *user, "--email", f"b-{slug}@example.test")
    assert code == 0, out
    code, listing = fleet(db, "orgs", "list")
    [line] = [row for row in listing.splitlines() if row.startswith(f"{slug}\t")]
    assert line.split("\t")[1:4] == ["Other Fleet", "enabled", "1"]
    assert fleet(db, "orgs", "create", "--slug", slug, "--name", "Again")[1].count("exists") == 1


async def test_credentials_are_read_from_stdin_stored_sealed_and_never_shown(
    db: DatabaseSettings, owner_pool: asyncpg.Pool
) -> None:
    slug, key = f"creds-{uuid.uuid4().hex[:8]}", new_key()
    assert fleet(db, "orgs", "create", "--slug", slug, "--name", "Creds")[0] == 0
    setting = ("credentials", "set", "--org", slug, "--provider", "bolt", "--client-id", "cid-b")
    code, said = fleet(db, *setting, "--company-ids", "11,12", stdin=SECRET + "\n", key=key)
    assert code == 0, said
    code, listing = fleet(db, "credentials", "list")

    row = await owner_pool.fetchrow(
        "SELECT c.secret_encrypted, c.extra::text FROM provider_credentials c "
        "JOIN orgs o USING (org_id) WHERE o.slug = $1 AND c.provider = 'bolt'",
        slug,
    )
    assert SECRET.encode() not in row["secret_encrypted"]
    box = load_credentials_key({"FLEET_CREDENTIALS_KEY": key})
    assert open_sealed(box, row["secret_encrypted"], slug, "bolt") == SECRET
    assert row["extra"] == '{"company_ids": [11, 12]}'
    assert f"{slug}\tbolt\tcid-b" in listing
    assert SECRET not in said + listing


def test_credentials_are_deleted_once(db: DatabaseSettings) -> None:
    slug = f"del-{uuid.uuid4().hex[:8]}"
    fleet(db, "orgs", "create", "--slug", slug, "--name", "Deleted")
    setting = ("credentials", "set", "--org", slug, "--provider", "uber", "--client-id", "cid")
    assert fleet(db, *setting, stdin=SECRET + "\n")[0] == 0

    assert fleet(db, "credentials", "delete", "--org", slug, "--provider", "uber")[0] == 0
    code, out = fleet(db, "credentials", "delete", "--org", slug, "--provider", "uber")
    assert code != 0 and "no stored uber credentials" in out
