"""Plain-text rules shared by services and block builders (no Slack in here)."""

from __future__ import annotations

import re

ELLIPSIS = "…"

# The start of an `&amp;`-style entity cut off at the end of a string.
ENTITY_AT_END = re.compile(r"&[a-z]{0,3}$")


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
