"""Plain-text rules shared by services and block builders."""

from __future__ import annotations

from bot.services.text import escape, shorten


def test_shorten() -> None:
    assert shorten("short", 10) == "short"
    cut = shorten("a" * 100, 75)
    assert len(cut) == 75 and cut.endswith("…")
    assert not shorten("x" * 70 + escape("&&&&&"), 75).removesuffix("…").endswith(("&", "&a", "&am"))


def test_is_blank_sees_through_invisible_characters() -> None:
    from bot.services.text import is_blank

    assert is_blank("") and is_blank(" \n\t\xa0") and is_blank("\u200b\u2060\ufeff \u3000")
    assert not is_blank(" x ") and not is_blank(":tada:") and not is_blank("\u200bok")
