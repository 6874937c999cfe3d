"""Focus behaviours in Slack: the `/ladder focus` answer, the Home section, and the focus modal."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks.common import context, shorten
from bot.ids import LADDER_COMMAND, Callback, FocusAction, FocusBlock
from bot.services.assessments import VERDICT_LABELS
from bot.services.focus import FOCUS_LIMIT, FocusItem
from bot.services.focus_requests import FocusShown
from bot.services.text import escape
from frameworks import Behaviour

OPTION_TEXT_MAX = 75  # facts: option text <= 75 characters
MAX_OPTIONS = 100  # facts: static_select <= 100 options


def focus_line(item: FocusItem) -> str:
    """`:dart: *Behaviour* (Delivery · Level 2) · 2 items · manager: Sometimes`."""
    items = (
        "no evidence yet"
        if item.evidence_count == 0
        else f"{item.evidence_count} item" + ("s" if item.evidence_count > 1 else "")
    )
    verdict = f" · manager: {VERDICT_LABELS[item.manager_verdict]}" if item.manager_verdict else ""
    where = f"{escape(item.area_name)} · {escape(item.level_name)}"
    return f":dart: *{escape(shorten(item.behaviour_text, 200))}* ({where}) · {items}{verdict}"


def report_focus_line(texts: Sequence[str]) -> str:
    """A report's focus as their manager sees it (Home, `/ladder team`); "" when they chose none."""
    if not texts:
        return ""
    return ":dart: Focus: " + "; ".join(escape(shorten(text, 80)) for text in texts)


def focus_blocks(shown: FocusShown) -> list[Block]:
    lines = []
    if shown.cleared:
        lines.append(":broom: Focus cleared.")
    if shown.added:
        lines.append(":dart: Now in focus: " + "; ".join(f"“{escape(shorten(t, 80))}”" for t in shown.added))
    if shown.items:
        lines.append(f"*Your focus* ({len(shown.items)} of {FOCUS_LIMIT}):")
        lines += [focus_line(item) for item in shown.items]
    else:
        lines.append(f"No focus behaviours yet. Pick up to {FOCUS_LIMIT} from your next milestone.")
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text="\n".join(lines)))]
    blocks.append(
        context(
            f"Next milestone: {escape(shown.milestone)}. `{LADDER_COMMAND} focus BEHAVIOUR` adds one "
            f"(its id, or words from it; several separated by commas), `{LADDER_COMMAND} focus clear` clears them."
        )
    )
    return blocks


def focus_text(shown: FocusShown) -> str:
    return f"Your focus: {len(shown.items)} of {FOCUS_LIMIT} behaviours."


def refused_blocks(message: str) -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text=f":no_entry_sign: {message}"))]


def home_focus_blocks(items: Sequence[FocusItem]) -> list[Block]:
    text = "\n".join(focus_line(item) for item in items) or (
        f"Pick up to {FOCUS_LIMIT} behaviours of your next milestone to work on: prompts ask about them first "
        "and your manager sees them."
    )
    return [
        SectionBlock(text=MarkdownTextObject(text=f"*Focus*\n{text}")),
        ActionsBlock(elements=[ButtonElement(text="Choose focus", action_id=FocusAction.OPEN)]),
    ]


def _option(behaviour: Behaviour) -> Option:
    return Option(value=behaviour.id, text=shorten(behaviour.text, OPTION_TEXT_MAX))


def focus_modal(choices: Sequence[Behaviour], chosen: Sequence[str]) -> View:
    options = [_option(b) for b in choices[:MAX_OPTIONS]]
    initial = [o for o in options if o.value in set(chosen)]
    select = StaticMultiSelectElement(
        action_id=FocusAction.SELECT,
        placeholder="Behaviours of your next milestone",
        options=options,
        initial_options=initial or None,
        max_selected_items=FOCUS_LIMIT,
    )
    return View(
        type="modal",
        callback_id=Callback.FOCUS,
        title="Your focus",
        submit="Save",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=FocusBlock.SELECT,
                label=f"Up to {FOCUS_LIMIT} behaviours",
                element=select,
                optional=True,
            )
        ],
    )
