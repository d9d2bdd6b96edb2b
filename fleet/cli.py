"""``fleet``: one command in front of every process and admin task."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from core.config import ConfigError, database_configured, environ, load_database, state_dir
from core.logs import setup_logging
from fleet.environment import check_environment
from fleet.tenant_commands import add_tenant_commands


@contextmanager
def database_ready(command: str) -> Iterator[None]:
    """The embedded PostgreSQL running: the one of `fleet up` when it runs (this command only
    connects to it), else one started here, under the state folder's lock, and stopped after.
    """
    env = environ()
    if database_configured(env):
        yield
        return
    from fleet.lifetime import StateLock
    from fleet.postgres import EmbeddedPostgres

    lock = StateLock.try_acquire(state_dir(env), f"fleet {command}")
    if lock is None:
        yield
        return
    server = EmbeddedPostgres(state_dir(env))
    try:
        server.start()
        yield
    finally:
        server.stop()
        lock.release()


def cmd_migrate(_: argparse.Namespace) -> None:
    from fleet.setup import prepare_database

    with database_ready("migrate"):
        applied = prepare_database(environ())
    print(f"migrations applied: {', '.join(applied) or 'none pending'}")


async def _with_owner(fn: Callable[[asyncpg.Connection], object]) -> object:
    conn = await asyncpg.connect(load_database(environ()).owner_url)
    try:
        return await fn(conn)  # type: ignore[misc]
    finally:
        await conn.close()


def cmd_users_create(args: argparse.Namespace) -> None:
    from fleet.accounts import create_user

    async def create(conn: asyncpg.Connection) -> object:
        return await create_user(
            conn, email=args.email, password=args.password, org=args.org, role=args.role
        )

    with database_ready("users create"):
        user_id = asyncio.run(_with_owner(create))
    print(f"user {args.email} created ({args.role}, id {user_id})")


def cmd_users_reset_password(args: argparse.Namespace) -> None:
    from fleet.accounts import generate_password, set_password

    password = args.password or generate_password()

    async def reset(conn: asyncpg.Connection) -> object:
        await set_password(conn, args.email, password)
        return None

    with database_ready("users reset-password"):
        asyncio.run(_with_owner(reset))
    print(f"password of {args.email} set" + ("" if args.password else f": {password}"))


def cmd_backup(args: argparse.Namespace) -> None:
    from fleet.backup import backup, default_name

    out = Path(args.out) if args.out else default_name()
    with database_ready("backup"):
        manifest = asyncio.run(backup(load_database(environ()).owner_url, out))
    print(
        f"backup written to {out}: {manifest['event_count']} events up to position "
        f"{manifest['head_position']}, migration {manifest['migration']}, "
        f"sha256 {manifest['sha256']}"
    )


def cmd_restore(args: argparse.Namespace) -> None:
    from fleet.backup import restore

    env = environ()
    manifest = restore(Path(args.file), env)
    where = "the configured database" if database_configured(env) else str(state_dir(env))
    print(
        f"restored {manifest['event_count']} events up to position {manifest['head_position']} "
        f"(backup of {manifest['created_at']}) into {where}"
    )


def cmd_up(_: argparse.Namespace) -> None:
    from fleet.supervisor import up

    up()


def cmd_ingest(_: argparse.Namespace) -> None:
    from ingest.main import run

    run()


def cmd_relay(_: argparse.Namespace) -> None:
    from eventlog.relay_main import run

    run()


def cmd_projector(_: argparse.Namespace) -> None:
    from projector.main import run

    run()


def cmd_api(_: argparse.Namespace) -> None:
    from query_api.main import run

    run()


def cmd_openapi(args: argparse.Namespace) -> None:
    """Print (or write) the API's OpenAPI document; needs no database."""
    import json

    from query_api.openapi import openapi_document

    text = json.dumps(openapi_document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)


def cmd_simulator(args: argparse.Namespace) -> None:
    from simulator.main import run
    from simulator.settings import SimulatorSettings

    setup_logging("simulator")
    run(SimulatorSettings.from_env(environ()), host=args.host, port=args.port)


def cmd_replay(args: argparse.Namespace) -> None:
    from projector.commands import parse_time, replay_command

    as_of = parse_time(args.as_of) if args.as_of else None
    with database_ready("replay"):
        try:
            code = asyncio.run(
                replay_command(
                    load_database(environ()),
                    projection=args.projection,
                    as_of=as_of,
                    force=args.force,
                    fresh=args.fresh,
                    jobs=args.jobs,
                )
            )
        except KeyboardInterrupt:
            sys.exit("\nfleet replay: interrupted; run it again to resume where it stopped")
    sys.exit(code)


def cmd_import_legacy(args: argparse.Namespace) -> None:
    from ingest.legacy.importer import LegacyImportError, import_command

    setup_logging("import")
    org = args.org or environ().get("FLEET_ORG_SLUG", "default")
    with database_ready("import legacy"):
        try:
            report = asyncio.run(
                import_command(load_database(environ()), args.database_url, org,
                               dry_run=args.dry_run)
            )  # fmt: skip
        except LegacyImportError as exc:
            sys.exit(f"fleet import legacy: {exc}")
    print("\n".join(report.lines(org)))


def cmd_parked(args: argparse.Namespace) -> None:
    from projector.commands import parked_list_command, parked_retry_command

    command = parked_retry_command if args.parked == "retry" else parked_list_command
    with database_ready("parked"):
        sys.exit(asyncio.run(command(load_database(environ()), projection=args.projection)))


def _jobs(text: str) -> int:
    """``--jobs``: a whole number of processes, 1 to 32."""
    if not text.isdigit() or not 1 <= int(text) <= 32:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of jobs from 1 to 32")
    return int(text)


def _add_projector_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    replay = sub.add_parser("replay", help="rebuild read tables from the log, then swap them in")
    replay.add_argument("--projection", help="a projection or table name (default: all)")
    replay.add_argument("--as-of", help="rebuild the state as of this ISO time into asof_<time>")
    replay.add_argument("--force", action="store_true", help="swap even if the tables differ")
    replay.add_argument("--fresh", action="store_true", help="drop an unfinished rebuild first")
    replay.add_argument(
        "--jobs", type=_jobs, default=1,
        help="rebuild this many tables at once, each in a process (default 1; one per core)",
    )  # fmt: skip
    replay.set_defaults(fn=cmd_replay)
    parked = sub.add_parser("parked", help="events a projection could not apply")
    actions = parked.add_subparsers(dest="parked", required=True)
    for action, text in (("list", "list open parked events"), ("retry", "re-apply them")):
        cmd = actions.add_parser(action, help=text)
        cmd.add_argument("--projection", help="only this projection")
        cmd.set_defaults(fn=cmd_parked)


def _add_import_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imports = sub.add_parser("import", help="bring another system's data into the log")
    kinds = imports.add_subparsers(dest="source", required=True)
    legacy = kinds.add_parser("legacy", help="the original implementation's database")
    legacy.add_argument("--database-url", required=True, help="its PostgreSQL URL (read only)")
    legacy.add_argument("--org", help="the tenant to import into (default: FLEET_ORG_SLUG)")
    legacy.add_argument("--dry-run", action="store_true", help="report, write nothing")
    legacy.set_defaults(fn=cmd_import_legacy)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="fleet", description="Fleet Manager (Uber + Bolt)")
    sub = root.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="run the whole system (embedded default)").set_defaults(fn=cmd_up)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(fn=cmd_migrate)
    sub.add_parser("ingest", help="run the provider pollers").set_defaults(fn=cmd_ingest)
    sub.add_parser("relay", help="run the outbox relay to NATS").set_defaults(fn=cmd_relay)
    sub.add_parser("projector", help="run the projections").set_defaults(fn=cmd_projector)
    sub.add_parser("api", help="run the query API").set_defaults(fn=cmd_api)
    spec = sub.add_parser("openapi", help="print the API's OpenAPI document")
    spec.add_argument("--out", help="write it to this file instead")
    spec.set_defaults(fn=cmd_openapi)
    sim = sub.add_parser("simulator", help="run the Uber/Bolt simulator")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8001)
    sim.set_defaults(fn=cmd_simulator)
    users = sub.add_parser("users", help="manage users").add_subparsers(dest="users", required=True)
    create = users.add_parser("create", help="create a user")
    create.add_argument("--email", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--org", required=True, help="org slug or id")
    create.add_argument("--role", required=True, choices=["admin", "manager", "viewer", "auditor"])
    create.set_defaults(fn=cmd_users_create)
    reset = users.add_parser("reset-password", help="set (or generate) a user's password")
    reset.add_argument("--email", required=True)
    reset.add_argument("--password", help="omit to generate one, printed once")
    reset.set_defaults(fn=cmd_users_reset_password)
    _add_projector_commands(sub)
    _add_import_commands(sub)
    _add_backup_commands(sub)
    add_tenant_commands(sub)
    return root


def _add_backup_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dump = sub.add_parser("backup", help="write a consistent, compressed backup of the database")
    dump.add_argument("--out", help="the file to write (default: ./fleet-<UTC time>.tar)")
    dump.set_defaults(fn=cmd_backup)
    load = sub.add_parser("restore", help="restore a backup into an empty state folder or database")
    load.add_argument("file", help="a file written by `fleet backup`")
    load.set_defaults(fn=cmd_restore)


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        check_environment(os.environ)
        args.fn(args)
    except ConfigError as exc:
        sys.exit(f"fleet {args.command}: configuration error: {exc}")
    except KeyboardInterrupt:
        pass
    except Exception as exc:
        from fleet.accounts import AccountError
        from fleet.backup import BackupError
        from fleet.lifetime import StateFolderBusy

        if isinstance(exc, AccountError | BackupError | StateFolderBusy):
            sys.exit(f"fleet {args.command}: {exc}")
        raise
