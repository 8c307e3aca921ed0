"""One translation function for every UI string; catalogs live in ``assets/i18n/<lang>.json``.

A missing key is a bug, not something to paper over: in tests it raises, at run time the key
itself is shown so the page still works.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("mn", "en")
DEFAULT_LANGUAGE = "mn"
CATALOG_FOLDER = Path(__file__).resolve().parent.parent / "assets" / "i18n"


@cache
def catalog(language: str) -> dict[str, str]:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    with (CATALOG_FOLDER / f"{language}.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def translate(key: str, *, language: str, **values: object) -> str:
    """The text for ``key`` in ``language`` with ``{name}`` placeholders filled from values."""
    text = catalog(language).get(key)
    if text is None:
        return key
    return text.format(**values) if values else text


def name_column(*, language: str) -> str:
    """Which name column (``name_mn`` / ``name_en``) a frame shows in this language."""
    return f"name_{language}"
