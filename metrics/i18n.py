"""One translation function for every UI string; catalogs live in ``assets/i18n/<lang>.json``
plus any ``assets/i18n/<lang>.<part>.json`` (one file per feature, merged; a key may be defined
only once).

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
    merged: dict[str, str] = {}
    files = [
        CATALOG_FOLDER / f"{language}.json",
        *sorted(CATALOG_FOLDER.glob(f"{language}.*.json")),
    ]
    for path in files:
        with path.open(encoding="utf-8") as handle:
            entries = json.load(handle)
        repeated = sorted(set(entries) & set(merged))
        if repeated:
            raise ValueError(f"{path.name} defines keys defined elsewhere: {', '.join(repeated)}")
        merged.update(entries)
    return merged


def translate(key: str, *, language: str, **values: object) -> str:
    """The text for ``key`` in ``language`` with ``{name}`` placeholders filled from values."""
    text = catalog(language).get(key)
    if text is None:
        return key
    return text.format(**values) if values else text


def name_column(*, language: str) -> str:
    """Which name column (``name_mn`` / ``name_en``) a frame shows in this language."""
    return f"name_{language}"
