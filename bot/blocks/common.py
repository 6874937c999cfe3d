"""Small helpers every block builder shares: escaping, progress bars, splitting long text.

Slack limits (section text 3000, fields 2000, ...) are met by splitting text into several pieces,
never by cutting user text. Only labels we control (option text, headers) are shortened, with an
ellipsis, because Slack rejects them outright when too long (`shorten`, a plain-text rule that
services use too, lives in bot.services.text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, Option, SectionBlock

from bot.services.slots import WEEKDAY_NAMES
from bot.services.text import ENTITY_AT_END, shorten

SECTION_TEXT_MAX = 3000
HEADER_TEXT_MAX = 150
OPTION_TEXT_MAX = 75
BUTTON_TEXT_MAX = 75

_SLACK_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}
_SLACK_ENTITY = re.compile("|".join(_SLACK_ENTITIES))


def unescape(text: str) -> str:
    """Undo Slack's escaping of a person's message text (`&amp;`, `&lt;`, `&gt;` only), in one pass.

    Slack sends message and command text with &, < and > escaped; stored text is what the person
    typed, and `escape` makes it safe again wherever it is shown. Real mentions and links arrive as
    `<@U123>` / `<https://...>` (not escaped) and are kept as they are.
    """
    return _SLACK_ENTITY.sub(lambda match: _SLACK_ENTITIES[match.group(0)], text)


def weekday_options() -> list[Option]:
    """Monday ... Sunday for a day picker; each value is the weekday's number, read back with
    bot.services.slots.weekday_from_number."""
    return [Option(text=name, value=str(index)) for index, name in enumerate(WEEKDAY_NAMES)]


def progress_bar(done: int, total: int, width: int = 10) -> str:
    """`▰▰▰▱▱▱▱▱▱▱ 3/10` — text only, so it renders in sections, fields and notifications."""
    if total <= 0:
        return "▱" * width + " 0/0"
    done = max(0, min(done, total))
    filled = round(width * done / total)
    if done and not filled:
        filled = 1  # any progress shows
    if done < total and filled == width:
        filled = width - 1  # only complete coverage shows a full bar
    return "▰" * filled + "▱" * (width - filled) + f" {done}/{total}"


def split_text(text: str, limit: int = SECTION_TEXT_MAX) -> list[str]:
    """Split text into pieces of at most `limit` characters without losing a character.

    Prefers line breaks, then spaces; a single word longer than `limit` is cut hard, but never inside
    an `&amp;`-style entity produced by `escape`.
    """
    if limit < 8:
        raise ValueError("limit too small to split safely")
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = window.rfind("\n")
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
            entity = ENTITY_AT_END.search(rest[:cut])
            if entity and entity.start() > 0:
                cut = entity.start()
            pieces.append(rest[:cut])
            rest = rest[cut:]
            continue
        pieces.append(rest[:cut])
        rest = rest[cut + 1 :]  # the separator itself is where the split happens
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def pack_lines(lines: Iterable[str], limit: int = SECTION_TEXT_MAX) -> list[str]:
    """Join lines with newlines into as few chunks of at most `limit` characters as possible."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        for piece in split_text(line, limit) if len(line) > limit else [line]:
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks


def mrkdwn_sections(lines: Iterable[str], limit: int = SECTION_TEXT_MAX) -> list[SectionBlock]:
    """Sections holding every line (already escaped mrkdwn), split across blocks as needed."""
    return [SectionBlock(text=MarkdownTextObject(text=chunk)) for chunk in pack_lines(lines, limit) if chunk]


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=shorten(text, SECTION_TEXT_MAX))])
