"""``python -m data_access users add|disable|reset-password|list``: accounts for admins.

A password is never an argument (it would stay in the shell history and the process list): it
is asked for twice on a terminal, or read from the first line of standard input when that is not
a terminal (``printf '%s\\n' "$PASSWORD" | python -m data_access users add ...``).

Exit codes: 0 done, 1 refused (the message says why), 2 the database could not be reached.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from data_access import accounts
from data_access.db import get_engine
from data_access.migrate import upgrade_to_head
from data_access.scope import Role
from data_access.settings import security_settings

# The command line acts for whoever runs it; the audit log says so.
COMMAND_LINE_ACTOR = "command line"


def add_users_command(commands: argparse._SubParsersAction) -> None:
    users = commands.add_parser("users", help="add, disable or list accounts; reset a password")
    actions = users.add_subparsers(dest="users_action", required=True)
    add = actions.add_parser("add", help="create an account (password asked for)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument("--province", help="province code (required for the regional role)")
    add.add_argument("--name", default="", help="display name (default: the user name)")
    for name, help_text in (
        ("disable", "disable an account (it can no longer sign in)"),
        ("reset-password", "set a new password (asked for) and enable the account"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("username")
    actions.add_parser("list", help="list the accounts")
    for action in actions.choices.values():
        action.add_argument("--database-url", help="database URL (default: configuration)")


def read_new_password(*, prompt: Callable[[str], str], interactive: bool) -> str:
    """The new password: asked twice on a terminal, else the first line of standard input."""
    if not interactive:
        return sys.stdin.readline().rstrip("\r\n")
    first = prompt("New password: ")
    if prompt("Repeat the password: ") != first:
        raise accounts.AccountError("the two passwords differ")
    return first


def run_users_command(arguments: argparse.Namespace, *, database_url: str) -> int:
    now = datetime.now()
    settings = security_settings()
    try:
        upgrade_to_head(database_url=database_url)
        with get_engine(database_url).begin() as connection:
            if arguments.users_action == "list":
                frame = accounts.user_list(connection)
                print(frame.to_string(index=False) if not frame.empty else "No accounts.")
                return 0
            if arguments.users_action == "disable":
                accounts.disable_user(
                    connection, username=arguments.username, now=now, actor=COMMAND_LINE_ACTOR
                )
                print(f"Disabled {arguments.username}.")
                return 0
            password = read_new_password(prompt=getpass.getpass, interactive=sys.stdin.isatty())
            if arguments.users_action == "add":
                user = accounts.add_user(
                    connection,
                    username=arguments.username,
                    password=password,
                    role=Role(arguments.role),
                    province_code=arguments.province,
                    display_name=arguments.name,
                    settings=settings,
                    now=now,
                    actor=COMMAND_LINE_ACTOR,
                )
                print(f"Added {user.username} ({user.role.value}).")
            else:
                accounts.reset_password(
                    connection,
                    username=arguments.username,
                    password=password,
                    settings=settings,
                    now=now,
                    actor=COMMAND_LINE_ACTOR,
                )
                print(f"New password set for {arguments.username}; the account is enabled.")
    except (accounts.AccountError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        print(f"error: database: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    return 0
