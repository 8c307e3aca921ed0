"""Command line: ``python -m data_access migrate|demo|prepare|import|users|standard``.

``import TABLE FILE`` exits 0 when every row was imported, 1 when nothing was (an invalid file
or rows, or the database refused), 2 on bad arguments or an unreachable database, 3 when the
valid rows were imported and the invalid ones skipped (``--skip-invalid``).
"""

from __future__ import annotations

import argparse
import sys
import time

from sqlalchemy.exc import SQLAlchemyError

from data_access.db import resolve_database_url
from data_access.imports.command import add_import_command, run_import_command
from data_access.imports.templates import standard_block
from data_access.migrate import upgrade_to_head
from data_access.setup import DEMO_SEED, prepare
from data_access.users_command import add_users_command, run_users_command


def _print_progress(fraction: float, message: str) -> None:
    print(f"[{fraction:4.0%}] {message}", flush=True)


def _load_demo(*, database_url: str, scale: str, seed: int) -> None:
    from data_access.demo import load_demo

    started = time.perf_counter()
    counts = load_demo(database_url=database_url, scale=scale, seed=seed, progress=_print_progress)
    rows = ", ".join(f"{table} {count:,}" for table, count in counts.items())
    print(f"Demo dataset ({scale}) loaded in {time.perf_counter() - started:.1f} s: {rows}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m data_access", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("migrate", "upgrade the database schema to the newest revision"),
        ("demo", "replace all data with the synthetic demo dataset"),
        ("prepare", "migrate; on the embedded default database, load the demo data if empty"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--database-url", help="database URL (default: configuration)")
        if name == "demo":
            command.add_argument(
                "--scale", choices=("small", "default", "national"), default="default"
            )
            command.add_argument("--seed", type=int, default=DEMO_SEED)
    add_import_command(commands)
    add_users_command(commands)
    commands.add_parser(
        "standard", help="print the generated tables section of docs/data-standard.md"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command == "standard":
        print(standard_block())
        return 0
    database_url = resolve_database_url(explicit=arguments.database_url)
    if arguments.command == "import":
        return run_import_command(arguments, database_url=database_url)
    if arguments.command == "users":
        return run_users_command(arguments, database_url=database_url)
    try:
        if arguments.command == "demo":
            upgrade_to_head(database_url=database_url)
            _load_demo(database_url=database_url, scale=arguments.scale, seed=arguments.seed)
        elif arguments.command == "prepare":
            if prepare(database_url=database_url, progress=_print_progress):
                print("The embedded database was empty: the synthetic demo dataset was loaded.")
        else:
            upgrade_to_head(database_url=database_url)
        print(f"Database ready: {_redacted(database_url)}")
    except SQLAlchemyError as error:
        print(
            f"error: database {_redacted(database_url)}: {error.__class__.__name__}: "
            f"{str(error).splitlines()[0]}",
            file=sys.stderr,
        )
        return 2
    return 0


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
