"""Plain-text rules shared by services and block builders."""

from __future__ import annotations

from bot.services.text import escape, shorten


def test_shorten() -> None:
    assert shorten("short", 10) == "short"
    cut = shorten("a" * 100, 75)
    assert len(cut) == 75 and cut.endswith("…")
    assert not shorten("x" * 70 + escape("&&&&&"), 75).removesuffix("…").endswith(("&", "&a", "&am"))
