"""``fleet orgs …`` and ``fleet credentials …``: tenants and their provider credentials.

A client secret is read from standard input (without echo on a terminal), never from the
command line, where the shell's history and the process list would keep it.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import asyncpg

from core.config import environ

T = TypeVar("T")


def _as_owner(args: argparse.Namespace, fn: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    from fleet.cli import _with_owner, database_ready  # local: fleet.cli imports this module

    action = getattr(args, args.command)  # the subcommand: `orgs create`, `credentials set`…
    with database_ready(f"{args.command} {action}"):
        return asyncio.run(_with_owner(fn))  # type: ignore[return-value]


def cmd_orgs_create(args: argparse.Namespace) -> None:
    from fleet.tenants import create_org

    org_id = _as_owner(args, lambda conn: create_org(conn, args.slug, args.name))
    print(f"org {args.slug} created (id {org_id}); add its admin with `fleet users create`")


def cmd_orgs_list(args: argparse.Namespace) -> None:
    from fleet.tenants import list_orgs

    print("slug\tname\tstate\tusers\tstored credentials\tid")
    for row in _as_owner(args, list_orgs):
        state = "enabled" if row["disabled_at"] is None else f"disabled {row['disabled_at']:%F}"
        stored = row["stored"] or "-"
        print(f"{row['slug']}\t{row['name']}\t{state}\t{row['users']}\t{stored}\t{row['org_id']}")


def cmd_orgs_disable(args: argparse.Namespace) -> None:
    from fleet.tenants import set_disabled

    disabled = args.orgs == "disable"
    _as_owner(args, lambda conn: set_disabled(conn, args.slug, disabled))
    if disabled:
        print(f"org {args.slug} disabled: its users cannot log in or refresh from now on; its")
        print("polls stop when ingest restarts (`fleet up` or your service manager)")
    else:
        print(f"org {args.slug} enabled: polled again from ingest's next start")


def read_secret(prompt: str) -> str:
    """The secret from standard input: typed without echo on a terminal, else its first line."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().strip()


def cmd_credentials_set(args: argparse.Namespace) -> None:
    from core.credentials import load_credentials_key
    from fleet.tenants import Credentials, set_credentials

    box = load_credentials_key(environ())  # before the prompt: a missing key fails first
    found = Credentials(
        provider=args.provider,
        client_id=args.client_id,
        secret=read_secret(f"{args.provider} client secret of {args.org}: "),
        auth_url=args.auth_url,
        base_url=args.base_url,
        uber_org_id=args.uber_org_id,
        company_ids=tuple(args.company_ids or ()),
    )
    _as_owner(args, lambda conn: set_credentials(conn, box, args.org, found))
    print(f"{args.provider} credentials of {args.org} stored; ingest uses them from its next start")


def cmd_credentials_list(args: argparse.Namespace) -> None:
    from fleet.tenants import list_credentials

    print("org\tprovider\tclient id\tauth url\tbase url\tscope\tupdated")
    for row in _as_owner(args, list_credentials):
        urls = f"{row['auth_url'] or '(default)'}\t{row['base_url'] or '(default)'}"
        print(f"{row['slug']}\t{row['provider']}\t{row['client_id']}\t{urls}\t", end="")
        print(f"{row['extra']}\t{row['updated_at']:%F %T%z}")


def cmd_credentials_delete(args: argparse.Namespace) -> None:
    from fleet.tenants import delete_credentials

    _as_owner(args, lambda conn: delete_credentials(conn, args.org, args.provider))
    print(f"{args.provider} credentials of {args.org} deleted")


def cmd_credentials_rotate(args: argparse.Namespace) -> None:
    from core.credentials import load_credentials_key
    from fleet.tenants import rotate_credentials

    box = load_credentials_key(environ())
    count = _as_owner(args, lambda conn: rotate_credentials(conn, box))
    print(f"{count} stored secrets sealed again with the first key of FLEET_CREDENTIALS_KEY")


def cmd_credentials_new_key(_: argparse.Namespace) -> None:
    from core.credentials import new_key

    print(new_key())


def _company_ids(raw: str) -> list[int]:
    try:
        return [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("comma-separated integers") from None


if TYPE_CHECKING:  # generic for the type checker only
    Sub = argparse._SubParsersAction[argparse.ArgumentParser]


def _add_orgs(sub: Sub) -> None:
    orgs = sub.add_parser("orgs", help="manage tenants").add_subparsers(dest="orgs", required=True)
    create = orgs.add_parser("create", help="create a tenant")
    create.add_argument("--slug", required=True, help="lowercase letters, digits and dashes")
    create.add_argument("--name", required=True)
    create.set_defaults(fn=cmd_orgs_create)
    orgs.add_parser("list", help="every tenant and its state").set_defaults(fn=cmd_orgs_list)
    for action, text in (("disable", "stop its polls and logins"), ("enable", "undo disable")):
        cmd = orgs.add_parser(action, help=text)
        cmd.add_argument("slug", help="org slug or id")
        cmd.set_defaults(fn=cmd_orgs_disable)


def _org_and_provider(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--org", required=True, help="org slug or id")
    cmd.add_argument("--provider", required=True, choices=["uber", "bolt"])


def _add_credentials(sub: Sub) -> None:
    creds = sub.add_parser("credentials", help="an org's provider credentials (encrypted)")
    actions = creds.add_subparsers(dest="credentials", required=True)
    put = actions.add_parser("set", help="store credentials; the secret is read from stdin")
    _org_and_provider(put)
    put.add_argument("--client-id", required=True)
    put.add_argument("--auth-url", help="token endpoint (default: the provider's)")
    put.add_argument("--base-url", help="API base URL (default: the provider's)")
    put.add_argument("--uber-org-id", help="Uber: poll only this Uber org")
    put.add_argument("--company-ids", type=_company_ids, help="Bolt: the companies polled")
    put.set_defaults(fn=cmd_credentials_set)
    actions.add_parser("list", help="stored credentials, never a secret").set_defaults(
        fn=cmd_credentials_list
    )
    delete = actions.add_parser("delete", help="forget an org's credentials for a provider")
    _org_and_provider(delete)
    delete.set_defaults(fn=cmd_credentials_delete)
    actions.add_parser("rotate", help="seal every secret with the first key").set_defaults(
        fn=cmd_credentials_rotate
    )
    actions.add_parser("new-key", help="print a new FLEET_CREDENTIALS_KEY").set_defaults(
        fn=cmd_credentials_new_key
    )


def add_tenant_commands(sub: Sub) -> None:
    """The ``orgs`` and ``credentials`` commands."""
    _add_orgs(sub)
    _add_credentials(sub)
