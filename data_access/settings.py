"""Security settings, configurable like the database URL: environment variable first
(``OVERSIGHT_<NAME>``), then Streamlit's secrets file (``<name>`` in lower case), then the
default here."""

from __future__ import annotations

import os
from dataclasses import dataclass

from data_access.db import secret


def _number(name: str, default: int) -> int:
    text = os.environ.get(f"OVERSIGHT_{name}") or secret(name.lower())
    if text is None:
        return default
    value = int(text)
    if value <= 0:
        raise ValueError(f"OVERSIGHT_{name} must be a positive whole number, not {text!r}")
    return value


@dataclass(frozen=True, kw_only=True)
class SecuritySettings:
    lock_after_failures: int = 5
    lock_window_minutes: int = 15
    lock_minutes: int = 15
    idle_minutes: int = 30
    min_password_length: int = 12
    press_min_observations: int = 10


def security_settings() -> SecuritySettings:
    defaults = SecuritySettings()
    return SecuritySettings(
        lock_after_failures=_number("LOCK_AFTER_FAILURES", defaults.lock_after_failures),
        lock_window_minutes=_number("LOCK_WINDOW_MINUTES", defaults.lock_window_minutes),
        lock_minutes=_number("LOCK_MINUTES", defaults.lock_minutes),
        idle_minutes=_number("IDLE_MINUTES", defaults.idle_minutes),
        min_password_length=_number("MIN_PASSWORD_LENGTH", defaults.min_password_length),
        press_min_observations=_number("PRESS_MIN_OBSERVATIONS", defaults.press_min_observations),
    )
