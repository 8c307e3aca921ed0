"""Templates, the data-standard document and the UI's reason wordings come from the same rules
as the validator, and a filled-in template passes it."""

from __future__ import annotations

import io
import string

import pytest
from openpyxl import load_workbook

from data_access.imports.reader import read_table
from data_access.imports.templates import (
    STANDARD_END,
    STANDARD_START,
    standard_block,
    template_csv,
    template_xlsx,
)
from data_access.validation import REASONS, RULES, validate
from metrics.i18n import LANGUAGES, catalog, translate
from tests.conftest import PROJECT_ROOT

TABLES = list(RULES)


def _example_codes() -> dict[str, set[str]]:
    known: dict[str, set[str]] = {}
    for rules in RULES.values():
        for rule in rules.columns:
            if rule.references:
                known.setdefault(rule.references, set()).add(rule.example)
    return known


def test_the_data_standard_document_is_generated_from_the_rules():
    document = (PROJECT_ROOT / "docs" / "data-standard.md").read_text(encoding="utf-8")
    start = document.index(STANDARD_START)
    end = document.index(STANDARD_END) + len(STANDARD_END)
    assert document[start:end] == standard_block()
    assert "| `score` | whole number | yes | 1–5 |" in document
    assert "one of `online`, `in_person`, `phone`" in document


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_template_holds_the_header_and_a_valid_example_row(table, kind):
    content = template_csv(table=table) if kind == "csv" else template_xlsx(table=table)
    rules = RULES[table]
    text = read_table(
        content=content,
        expected_columns=[rule.name for rule in rules.columns],
        sheet=table,
        max_bytes=1024 * 1024,
    )
    assert list(text.cells.columns) == [rule.name for rule in rules.columns]
    assert len(text.cells) == 1
    result = validate(
        rules=rules, cells=text.cells, row_numbers=text.row_numbers, known_codes=_example_codes()
    )
    assert result.errors.empty, result.errors[["column", "reason"]].to_dict("records")


def test_the_excel_template_explains_every_column_in_both_languages():
    workbook = load_workbook(io.BytesIO(template_xlsx(table="tasks")))
    assert workbook.sheetnames == ["tasks", "columns"]
    explained = list(workbook["columns"].iter_rows(values_only=True))
    assert explained[0] == ("column", "required", "type", "rule", "meaning", "тайлбар", "example")
    described = {row[0]: row for row in explained[1:]}
    assert set(RULES["tasks"].by_name) <= set(described)
    assert described["source_kind"][3].startswith("one of directive, plan_item")
    assert described["cancelled"][5] == "цуцлагдсан эсэх; хоосон = false"
    # Choices come as drop-down lists in the data sheet.
    assert workbook["tasks"].data_validations.dataValidation


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reason_is_worded_in_every_language_with_the_same_placeholders(language):
    words = catalog(language)

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for code, english in REASONS.items():
        assert f"reason.{code}" in words, code
        assert fields(words[f"reason.{code}"]) == fields(english), code
        # The page words a reason with t(key, **params): no parameter may be called "key".
        sample = dict.fromkeys(fields(english), "x")
        assert translate(f"reason.{code}", language=language, **sample)
