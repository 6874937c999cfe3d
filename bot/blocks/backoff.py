"""The back-off DMs: the one question after three unanswered prompts, and the one line when the cadence
slowed by itself (with a button back)."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, MarkdownTextObject, SectionBlock

from bot.ids import LADDER_COMMAND, BackoffAction, BackoffBlock
from storage.models import Cadence

WORDS = {Cadence.WEEKLY: "weekly", Cadence.FORTNIGHTLY: "fortnightly", Cadence.MONTHLY: "monthly"}


ACTION_OF = {
    "fortnightly": BackoffAction.FORTNIGHTLY,
    "monthly": BackoffAction.MONTHLY,
    "pause": BackoffAction.PAUSE,
    "keep": BackoffAction.KEEP,
}


def _button(text: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(text=text, action_id=ACTION_OF[value], value=value, style=style)


def ask_text(cadence: Cadence) -> str:
    return (
        f"The last three prompts went unanswered, which is fine. Would fewer suit you better? "
        f"(You are on {WORDS[cadence]} prompts.)"
    )


def ask_blocks(cadence: Cadence) -> list[Block]:
    choices = [
        _button("Fortnightly", "fortnightly", "primary"),
        _button("Monthly", "monthly"),
        _button("Pause", "pause"),
        _button(f"Keep {WORDS[cadence]}", "keep"),
    ]
    if cadence is not Cadence.WEEKLY:
        choices = [c for c in choices if c.value != cadence.value]
    return [
        SectionBlock(text=MarkdownTextObject(text=f":wave: {ask_text(cadence)}")),
        ActionsBlock(block_id=BackoffBlock.ACTIONS, elements=choices),
    ]


def notice_text(cadence: Cadence) -> str:
    return f"No answer, so your prompts are now {WORDS[cadence]}. Answering one puts them back."


def notice_blocks(cadence: Cadence, before: Cadence) -> list[Block]:
    return [
        SectionBlock(
            text=MarkdownTextObject(text=f":turtle: {notice_text(cadence)}"),
            accessory=_button(f"Back to {WORDS[before]}", "keep"),
        )
    ]


def chosen_text(choice: str, cadence: Cadence, next_at: str | None) -> str:
    if choice == "pause":
        return f":double_vertical_bar: Prompts paused until you resume them (`{LADDER_COMMAND} resume`)."
    when = f" The next one comes {next_at}." if next_at else ""
    return f":white_check_mark: Your prompts are {WORDS[cadence]}.{when}"
