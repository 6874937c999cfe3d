"""Markdown text cleaned for a ladder: mojibake repaired, markup and emoji removed, names turned into ids."""

from __future__ import annotations

import re
import unicodedata

_MOJIBAKE_RUN = re.compile(r"[\u00c2-\u00f4\u03b2\u03c0][\u0080-\u02ff\u0370-\u03ff\u2010-\u203a\u20ac\u2122]+")


def _to_bytes(text: str) -> bytes | None:
    out = bytearray()
    for char in text:
        for codec in ("cp1252", "cp1253"):
            try:
                out += char.encode(codec)
                break
            except UnicodeEncodeError:
                continue
        else:
            return None
    return bytes(out)


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Windows-1252/1253 (`itâ€™s` -> `it’s`, `πŸ’¬` -> `💬`) where it decodes."""

    def fix(match: re.Match[str]) -> str:
        raw = _to_bytes(match.group(0))
        if raw is None:
            return match.group(0)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return match.group(0)

    return _MOJIBAKE_RUN.sub(fix, text)


def _is_decoration(token: str) -> bool:
    """An emoji, or an emoji whose UTF-8 bytes were mangled beyond repair (leading byte F0 9F / E2 9x)."""
    repaired = repair_mojibake(token)
    if all(unicodedata.category(c) in ("So", "Sk", "Mn", "Cf", "Cn") for c in repaired):
        return True
    raw = _to_bytes(token)
    return raw is not None and (raw.startswith(b"\xf0\x9f") or re.match(rb"\xe2[\x9a-\x9e]", raw) is not None)


def clean_name(text: str) -> str:
    """A heading as a display name: markup, emoji and mangled emoji removed."""
    tokens = strip_markup(text).split()
    while tokens and _is_decoration(tokens[-1]):
        tokens.pop()
    while tokens and _is_decoration(tokens[0]):
        tokens.pop(0)
    return " ".join(tokens)


_EMPHASIS = re.compile(r"(\*{1,3}|(?<!\w)_{1,3}|`+)(?=\S)(.+?)(?<=\S)\1(?!\w)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def strip_markup(text: str) -> str:
    """Plain text from one line of Markdown: emphasis, code and link markup removed, spaces collapsed."""
    text = repair_mojibake(text)
    text = _LINK.sub(r"\1", text)
    previous = None
    while previous != text:
        previous = text
        text = _EMPHASIS.sub(r"\2", text)
    text = text.replace("<br>", " ").replace("<br/>", " ").replace("\\|", "|")
    return " ".join(text.split())


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.replace("&", " ")).strip("-")
    return slug


_CHECKBOX = re.compile(r"^\[[ xX✓✔]?\]\s*")
_CELL_BREAK = re.compile(r"<br\s*/?>|\s+•\s+", re.IGNORECASE)
_CELL_BULLET = re.compile(r"^(?:[-*+•‣◦▪]|\d{1,3}[.)])\s+")


def behaviour_text(text: str) -> str:
    """A bullet's text as a behaviour: a task-list box (`[ ]`, `[x]`) dropped, markup stripped."""
    return strip_markup(_CHECKBOX.sub("", text.strip()))


def split_cell(raw: str) -> list[str]:
    """One table cell as behaviours: split on `<br>` and on inner bullets (`• a • b`, `- a<br>- b`)."""
    parts = []
    for part in _CELL_BREAK.split(raw):
        part = _CELL_BULLET.sub("", part.strip())
        text = behaviour_text(part)
        if text:
            parts.append(text)
    return parts
