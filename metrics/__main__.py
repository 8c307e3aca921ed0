"""Command line: ``python -m metrics summary|glossary``.

``summary`` prints the figures the Overview shows, from the configured database (this entry
point is the one place in ``metrics`` that reaches a database, through data_access).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from sqlalchemy.exc import SQLAlchemyError

from data_access.db import get_engine, resolve_database_url, sqlite_file
from data_access.filters import Filters, GroupBy
from data_access.inputs import collect_inputs
from data_access.scope import FULL_SCOPE
from metrics.compute import SUMMARY_INDICATORS, national_summary
from metrics.definitions import METRICS, QUERY_RULES
from metrics.glossary import glossary_markdown
from metrics.i18n import LANGUAGES

SUMMARY_PARTS = ("tasks", "plans", "ratings", "satisfaction")


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m metrics", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser("summary", help="print the headline figures")
    summary.add_argument("--as-of", type=_iso_date, required=True, help="YYYY-MM-DD")
    summary.add_argument("--period-start", type=_iso_date, help="default: 1 January of as-of")
    summary.add_argument("--period-end", type=_iso_date, help="default: 31 December of as-of")
    summary.add_argument(
        "--group-by",
        choices=("none", "province", "agency", "ministry", "plan_kind", "task_group"),
        default="none",
    )
    summary.add_argument("--format", choices=("json", "table"), default="json")
    summary.add_argument("--database-url", help="database URL (default: configuration)")
    glossary = commands.add_parser("glossary", help="print the metrics glossary (Markdown)")
    glossary.add_argument("--language", choices=LANGUAGES, default="en")
    return parser


def _table(summary: dict) -> str:
    headers = ["group", *SUMMARY_INDICATORS, "early", "on_time", "late", "overdue", "open"]
    lines = []
    for group in summary["groups"]:
        cells = [f"{group['group_code']} {group['name_en']}"[:40]]
        for key in SUMMARY_INDICATORS:
            indicator = group["indicators"][key]
            value = "—" if indicator["value"] is None else f"{indicator['value']:.2f}"
            cells.append(f"{value} {indicator['status'] or ''}".rstrip())
        cells += [str(group["tasks"][name]) for name in ("early", "on_time", "late")]
        cells += [str(group["tasks"][name]) for name in ("overdue", "open")]
        lines.append(cells)
    widths = [max(len(row[i]) for row in [headers, *lines]) for i in range(len(headers))]
    rendered = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [headers, *lines]
    ]
    units = ", ".join(f"{key} {METRICS[key].unit}" for key in SUMMARY_INDICATORS)
    return "\n".join([f"as of {summary['as_of']} ({units})", *rendered])


def _summary(arguments: argparse.Namespace) -> dict:
    filters = Filters(
        scope=FULL_SCOPE,
        period_start=arguments.period_start or date(arguments.as_of.year, 1, 1),
        period_end=arguments.period_end or date(arguments.as_of.year, 12, 31),
        as_of=arguments.as_of,
    )
    group_by = GroupBy(arguments.group_by)
    database_url = resolve_database_url(explicit=arguments.database_url)
    database_file = sqlite_file(database_url)
    if database_file is not None and not database_file.is_file():
        raise FileNotFoundError(f"no database file at {database_file}")
    engine = get_engine(database_url)
    with engine.connect() as connection:
        inputs = collect_inputs(
            connection=connection,
            filters=filters,
            group_by=group_by,
            parts=SUMMARY_PARTS,
            **QUERY_RULES,
        )
    summary = national_summary(as_of=filters.as_of, **inputs)
    summary["period"] = {"start": str(filters.period_start), "end": str(filters.period_end)}
    summary["group_by"] = group_by.value
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    if arguments.command == "glossary":
        print(glossary_markdown(language=arguments.language))
        return 0
    try:
        summary = _summary(arguments)
    except ValueError as error:
        parser.error(str(error))
    except (SQLAlchemyError, FileNotFoundError) as error:
        print(
            f"error: cannot read the database: {str(error).splitlines()[0]}",
            file=sys.stderr,
        )
        return 2
    if arguments.format == "json":
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(_table(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
