"""`/ladder help` and the answer to an unknown subcommand."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.blocks.common import context, mrkdwn_sections, shorten
from bot.services.text import escape

INTRO = (
    "growthbot turns your career ladder into a weekly habit: once a week it asks what you did towards "
    "your next milestone, keeps your answers as evidence, and shows you (and, if you agree, your manager) "
    "how far along you are."
)
UNKNOWN_ECHO_MAX = 40


def help_blocks(commands: Sequence[tuple[str, str]]) -> list[Block]:
    """`commands` holds (usage, summary) pairs, one line each."""
    lines = [f"`{usage}` — {summary}" for usage, summary in commands]
    return [
        HeaderBlock(text="growthbot"),
        SectionBlock(text=MarkdownTextObject(text=INTRO)),
        *mrkdwn_sections(lines),
        context("Ladders are public within the workspace; your evidence is yours. Only you see these answers."),
    ]


def help_text(commands: Sequence[tuple[str, str]]) -> str:
    return "growthbot commands: " + ", ".join(usage for usage, _ in commands)


def unknown_subcommand_blocks(typed: str, suggestion: str | None, commands: Sequence[tuple[str, str]]) -> list[Block]:
    shown = escape(shorten(typed, UNKNOWN_ECHO_MAX))
    line = f"I don't know the command “{shown}”."
    if suggestion:
        line += f" Did you mean `/ladder {suggestion}`?"
    return [SectionBlock(text=MarkdownTextObject(text=line)), *help_blocks(commands)[2:]]
