"""Plain-text rules shared by services and block builders (no Slack in here)."""

from __future__ import annotations

import re
import unicodedata

ELLIPSIS = "…"

# The start of an `&amp;`-style entity cut off at the end of a string.
ENTITY_AT_END = re.compile(r"&[a-z]{0,3}$")


# Control characters (C0 but tab, newline and carriage return; DEL; C1) and lone surrogates. PostgreSQL
# refuses NUL in text and a surrogate cannot be encoded, SQLite stores both; none is anything a reader sees.
def shorten(text: str, limit: int) -> str:
    """A label that fits `limit` characters, ending in an ellipsis when it had to be cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rstrip()
    # Never leave half an escape entity (e.g. "&am") behind.
    cut = ENTITY_AT_END.sub("", cut)
    return cut + ELLIPSIS


def escape(text: str) -> str:
    """Make user text safe in mrkdwn: only &, < and > are replaced (Slack's rule), & first."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def is_blank(text: str) -> bool:
    """Nothing a reader would see: whitespace, and invisible format characters (a zero-width space, a
    byte-order mark, a word joiner) that `str.strip` keeps."""
    return all(char.isspace() or unicodedata.category(char) in _INVISIBLE for char in text)


_INVISIBLE = frozenset(("Cc", "Cf", "Zs", "Zl", "Zp"))
