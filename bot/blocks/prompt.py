"""Block Kit for the weekly prompt DM, the states it is updated to in place, and its one reminder."""

from __future__ import annotations

import dataclasses
import json
from functools import lru_cache
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DatePickerElement,
    MarkdownTextObject,
    SectionBlock,
)

from bot.blocks.common import context, split_text
from bot.ids import EvidenceAction, EvidenceBlock, PromptAction, PromptBlock
from bot.services.prompt_content import PromptContent
from bot.services.tag_suggestions import Suggestion, WeakMatch
from bot.services.text import escape, shorten

HEADLINE = ":seedling: *Your growth prompt this week*"
ASK = (
    "Did anything lately show this? Reply in this thread with a sentence or two, or tap *Add evidence* "
    "to add a link and pick behaviours. It takes under a minute."
)


def _quoted_behaviour(content: PromptContent) -> list[Block]:
    text = escape(content.behaviour_text)
    if content.qualifier:
        text += f" _({escape(content.qualifier)})_"
    quoted = "\n".join(f">{line}" for line in text.splitlines() or [""])
    return [SectionBlock(text=MarkdownTextObject(text=piece)) for piece in split_text(quoted, 2900)]


def _where(content: PromptContent) -> str:
    if content.fallback:
        return f"*{escape(content.area_name)}* · *{escape(content.level_name)}* — {escape(content.why)}"
    return f"*{escape(content.area_name)}* · towards *{escape(content.level_name)}* — {escape(content.why)}"


def prompt_text(content: PromptContent) -> str:
    """Notification text (also what screen readers and old clients show)."""
    return f"Your growth prompt this week: {escape(content.behaviour_text)}"


def _buttons(prompt_id: int) -> ActionsBlock:
    value = str(prompt_id)
    return ActionsBlock(
        block_id=PromptBlock.ACTIONS,
        elements=[
            ButtonElement(text="Add evidence", action_id=PromptAction.ADD_EVIDENCE, value=value, style="primary"),
            ButtonElement(text="Nothing this week", action_id=PromptAction.NOTHING_THIS_WEEK, value=value),
            ButtonElement(text="Snooze a day", action_id=PromptAction.SNOOZE, value=value),
            ButtonElement(text="Pause prompts", action_id=PromptAction.PAUSE, value=value),
        ],
    )


def prompt_blocks(content: PromptContent) -> list[Block]:
    return [
        SectionBlock(text=MarkdownTextObject(text=HEADLINE)),
        *_quoted_behaviour(content),
        context(_where(content)),
        *([context(f":warning: {escape(content.removed_note)}")] if content.removed_note else []),
        SectionBlock(text=MarkdownTextObject(text=ASK)),
        _buttons(content.prompt_id),
    ]


@lru_cache(maxsize=4096)
def _rendered_template(content: PromptContent) -> str:
    return json.dumps([block.to_dict() for block in prompt_blocks(content)])


def rendered_prompt(content: PromptContent) -> list[dict[str, Any]]:
    """`prompt_blocks(content)` as dicts. Building and validating Block Kit objects costs about as much
    as a Slack call, so a fan-out renders each distinct prompt once (with prompt id 0) and copies it."""
    template = json.loads(_rendered_template(dataclasses.replace(content, prompt_id=0)))
    for block in template:
        for element in block.get("elements") or []:
            if element.get("type") == "button" and element.get("value") == "0":
                element["value"] = str(content.prompt_id)
    return template


def prompt_answered_blocks(content: PromptContent, evidence_count: int = 1) -> list[Block]:
    items = "an item" if evidence_count == 1 else f"{evidence_count} items"
    return [
        SectionBlock(text=MarkdownTextObject(text=HEADLINE)),
        *_quoted_behaviour(content),
        context(_where(content)),
        context(f":white_check_mark: Answered: you added {items} of evidence. Thank you!"),
    ]


def prompt_skipped_blocks(content: PromptContent) -> list[Block]:
    return [
        SectionBlock(text=MarkdownTextObject(text=HEADLINE)),
        *_quoted_behaviour(content),
        context(_where(content)),
        context(":zzz: Nothing this week: noted. No reminder for this one; see you next time."),
    ]


def prompt_snoozed_blocks(content: PromptContent, until_label: str) -> list[Block]:
    """Still answerable: the buttons stay, with a note on when it comes back."""
    return [
        SectionBlock(text=MarkdownTextObject(text=HEADLINE)),
        *_quoted_behaviour(content),
        context(_where(content)),
        context(f":alarm_clock: Snoozed: I will bring this back {escape(until_label)}."),
        _buttons(content.prompt_id),
    ]


def prompt_paused_blocks(content: PromptContent, until_label: str | None) -> list[Block]:
    when = f"until {escape(until_label)}" if until_label else "until you resume them"
    return [
        SectionBlock(text=MarkdownTextObject(text=HEADLINE)),
        *_quoted_behaviour(content),
        context(_where(content)),
        SectionBlock(
            text=MarkdownTextObject(
                text=f":double_vertical_bar: Prompts are paused {when}. Resume now, or pick a day to resume on."
            )
        ),
        ActionsBlock(
            block_id=PromptBlock.PAUSED_ACTIONS,
            elements=[
                ButtonElement(text="Resume prompts", action_id=PromptAction.RESUME, value=str(content.prompt_id)),
                DatePickerElement(action_id=PromptAction.RESUME_ON, placeholder="Resume on…"),
            ],
        ),
    ]


def prompt_closed_blocks(content: PromptContent, note: str) -> list[Block]:
    """A prompt that can no longer be answered (expired, or a newer one arrived)."""
    return [
        SectionBlock(text=MarkdownTextObject(text=HEADLINE)),
        *_quoted_behaviour(content),
        context(_where(content)),
        context(escape(note)),
    ]


def reminder_text(content: PromptContent) -> str:
    """The one nudge in the prompt's thread, with the prompt's own why line (as of when it was sent)."""
    return (
        f"A nudge, in case this got buried: {escape(content.why)} Reply here if something fits; no more "
        "nudges unless you snooze it."
    )


def resumed_text(next_label: str | None) -> str:
    if next_label:
        return f":arrow_forward: Prompts resumed. The next one comes {escape(next_label)}."
    return ":arrow_forward: Prompts resumed."


WEAK_MATCH = "It matches no behaviour of your ladder clearly, so it keeps the tag above."
WEAK_MATCH_UNTAGGED = "It matches no behaviour of your ladder clearly: pick the one it shows with *Change tag*."


def evidence_saved_blocks(
    evidence_id: int,
    tag_labels: list[str],
    *,
    offer_retag: bool = True,
    suggestion: Suggestion | WeakMatch | None = None,
) -> list[Block]:
    """The confirmation after a thread reply or `/ladder log`: which behaviours it counts for, and a
    behaviour the text fits clearly better, with one tap to move or add the tag."""
    if tag_labels:
        tags = "\n".join(f"• {escape(label)}" for label in tag_labels)
        text = f":white_check_mark: Saved as evidence for:\n{tags}"
    else:
        text = ":white_check_mark: Saved as evidence (not tagged to a behaviour yet)."
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=piece)) for piece in split_text(text)]
    if isinstance(suggestion, WeakMatch):
        blocks.append(context(WEAK_MATCH if tag_labels else WEAK_MATCH_UNTAGGED))
    elif isinstance(suggestion, Suggestion):
        blocks.extend(suggestion_blocks(evidence_id, suggestion, tagged=bool(tag_labels)))
    if offer_retag:
        blocks.append(
            ActionsBlock(
                block_id=EvidenceBlock.RETAG_ACTIONS,
                elements=[ButtonElement(text="Change tag", action_id=EvidenceAction.RETAG, value=str(evidence_id))],
            )
        )
    blocks.append(context("Your progress is on growthbot's Home tab."))
    return blocks


def suggestion_blocks(evidence_id: int, suggestion: Suggestion, *, tagged: bool = True) -> list[Block]:
    """ "This reads more like …" and its buttons; untagged evidence gets "Tag as …" and "Keep"."""
    value = f"{evidence_id}:{suggestion.behaviour_id}"
    behaviour_text = suggestion.label.split(": ", 1)[-1]
    note = f":bulb: This reads more like *{escape(suggestion.label.rstrip('.'))}*."  # not "meetings.."
    tag_as = f"Tag as \u201c{shorten(behaviour_text, 55)}\u201d"
    instead = ButtonElement(
        text=f"{tag_as} instead" if tagged else tag_as,
        action_id=EvidenceAction.SUGGESTED_INSTEAD,
        value=value,
        style="primary",
    )
    both = [ButtonElement(text="Tag both", action_id=EvidenceAction.SUGGESTED_BOTH, value=value)] if tagged else []
    keep = ButtonElement(text="Keep", action_id=EvidenceAction.SUGGESTED_KEEP, value=value)
    return [
        SectionBlock(text=MarkdownTextObject(text=split_text(note)[0])),
        ActionsBlock(block_id=EvidenceBlock.SUGGESTION_ACTIONS, elements=[instead, *both, keep]),
    ]


def evidence_saved_text(tag_labels: list[str]) -> str:
    if tag_labels:
        return "Saved as evidence for: " + "; ".join(escape(label) for label in tag_labels)
    return "Saved as evidence."


def too_long_blocks(error: str, text: str) -> list[Block]:
    """Nothing was saved because the text is too long; echo it back so nothing is lost."""
    intro = f":warning: {escape(error)} Nothing was saved, so here is your text to copy and shorten:"
    pieces = split_text(escape(text), 2990)
    return [
        SectionBlock(text=MarkdownTextObject(text=intro)),
        *[SectionBlock(text=MarkdownTextObject(text=f"```{piece}```")) for piece in pieces],
    ]
