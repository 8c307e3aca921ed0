"""Load the heavy modules in the background once a server process serves its first request.

The first page anyone sees is the sign-in form. While they type, the process imports what the
pages behind it need (plotly, openpyxl, reportlab, scipy.stats, the page helpers): about a
second and a half of CPU on a fresh process, which the first page after signing in would
otherwise wait for.
"""

from __future__ import annotations

import importlib
import logging
import threading

MODULES: tuple[str, ...] = (
    "pages.downloads",
    "pages.exports",
    "pages.figures",
    "pages.briefing",
    "plotly.express",
    "pydeck",
    "metrics.reality",
    "metrics.outlook",
    "metrics.completeness",
    "scipy.stats",
)

_lock = threading.Lock()
_started = threading.Event()


def _load() -> None:
    for name in MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # the page that needs it will raise it where it can be seen
            logging.getLogger(__name__).exception("warm-up could not import %s", name)


def start() -> threading.Thread | None:
    """Start the warm-up once per process; the thread when this call started it, else None."""
    with _lock:
        if _started.is_set():
            return None
        _started.set()
    thread = threading.Thread(target=_load, name="warm-up", daemon=True)
    thread.start()
    return thread
