"""The background warm-up a server process starts with its first request."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHECK = """
import json, sys
from pages import warmup
before = [name for name in warmup.MODULES if name in sys.modules]
thread = warmup.start()
again = warmup.start()
thread.join(timeout=120)
print(json.dumps({
    "before": before,
    "alive": thread.is_alive(),
    "again": again is None,
    "missing": [name for name in warmup.MODULES if name not in sys.modules],
}))
"""


def test_the_warm_up_imports_every_module_once_per_process():
    output = subprocess.run(
        [sys.executable, "-c", _CHECK], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    # Nothing of it is loaded by the warm-up module itself: the thread does the work.
    assert result["before"] == []
    assert result == {"before": [], "alive": False, "again": True, "missing": []}
