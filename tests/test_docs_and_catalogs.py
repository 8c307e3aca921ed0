"""Docs and translations read the same definitions as the code, and stay complete."""

from __future__ import annotations

import re

import pytest

from metrics.definitions import METRICS
from metrics.glossary import GLOSSARY_END, GLOSSARY_START, glossary_block
from metrics.i18n import LANGUAGES, catalog, translate
from tests.conftest import PROJECT_ROOT

UI_SOURCES = [PROJECT_ROOT / "app.py", *sorted((PROJECT_ROOT / "pages").glob("*.py"))]
LITERAL_KEY = re.compile(r"\bt\(\s*\"([a-z_]+\.[a-z_.]+)\"")


def test_readme_glossary_is_generated_from_the_definitions():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(GLOSSARY_START), readme.index(GLOSSARY_END) + len(GLOSSARY_END)
    assert readme[start:end] == glossary_block(language="en")


def test_catalogs_have_the_same_keys():
    assert set(catalog("mn")) == set(catalog("en"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_literal_key_used_by_the_ui_is_translated(language: str):
    used = {key for path in UI_SOURCES for key in LITERAL_KEY.findall(path.read_text("utf-8"))}
    assert used, "the pattern found no keys: it no longer matches how pages call t()"
    assert used - set(catalog(language)) == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_metric_has_labels_in_every_language(language: str):
    for definition in METRICS.values():
        assert definition.label[language]
        assert definition.formula[language]
        assert definition.sample_label[language]


def test_translate_fills_placeholders_and_refuses_unknown_languages():
    assert translate("tasks.days", language="en", range="1-7") == "1-7 days"
    with pytest.raises(ValueError, match="unknown language"):
        translate("tasks.days", language="fr")


def test_data_standard_doc_lists_every_column():
    document = (PROJECT_ROOT / "docs" / "data-standard.md").read_text(encoding="utf-8")
    from data_access import schema

    for table in schema.FACT_TABLES_IN_LOAD_ORDER:
        section = document.split(f"### `{table.name}`", 1)
        assert len(section) == 2, table.name
        body = section[1].split("### ", 1)[0]
        for column in table.columns:
            assert f"| `{column.name}` |" in body, f"{table.name}.{column.name}"
