"""Shared by the digest, export, team, 1:1 and forget subcommands: who an argument names, and a one-line reply."""

from __future__ import annotations

import re

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext
from bot.services import access

_MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,31})(?:\|[^>]*)?>$")
_BARE_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")

MENTION_HINT = (
    "Mention the person: type @ and pick them from the list, so Slack sends who you mean "
    "(a plain name can't be looked up)."
)


def parse_user(word: str) -> str | None:
    """The Slack user id in `word`, or None when it does not name a user."""
    word = word.strip()
    match = _MENTION.match(word)
    if match:
        return match.group(1)
    return word if _BARE_ID.match(word) else None


def say(ctx: LadderContext, text: str) -> None:
    """One ephemeral line (already safe mrkdwn) only the caller sees."""
    ctx.reply([SectionBlock(text=MarkdownTextObject(text=text))], text)


def optional_person(ctx: LadderContext, subcommand: str) -> tuple[bool, str | None]:
    """(understood, subject) for `/ladder SUBCOMMAND [@person]`: no argument means yourself (None);
    anything but one mention answers the usage and returns understood=False."""
    if not ctx.words:
        return True, None
    subject = parse_user(ctx.words[0]) if len(ctx.words) == 1 else None
    if subject is None:
        say(ctx, f"{MENTION_HINT}\nUsage: `{LADDER_COMMAND} {subcommand} [@person]`")
        return False, None
    return True, subject


NOT_SET_UP = "You're not set up yet: run `/ladder setup` first."


def say_refused(ctx: LadderContext, someone_else: bool) -> None:
    """A refused read of evidence: the same neutral answer whether or not the person exists."""
    say(ctx, access.NOT_AVAILABLE if someone_else else NOT_SET_UP)
