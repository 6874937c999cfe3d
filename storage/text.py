"""The one rule for control characters in user text, applied before anything is stored or looked up.

It lives in storage because every validated text column applies it (`storage.models.check_length`), and
storage imports nothing from the layers above; services call it from here too (people import's cells).
"""

from __future__ import annotations

import re

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def without_controls(text: str) -> str:
    """Control characters (except tab, newline, carriage return) and lone surrogates removed, not refused,
    so a paste with a stray NUL saves the same on SQLite and PostgreSQL (which refuses NUL in text)."""
    return _CONTROLS.sub("", text)
