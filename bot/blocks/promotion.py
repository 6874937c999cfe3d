"""The promotion confirmation modal, its metadata, the Promote button, and what the engineer is told."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks.common import BUTTON_TEXT_MAX, context, mrkdwn_sections, shorten
from bot.blocks.readiness import area_lines
from bot.ids import Callback, PromotionAction, PromotionBlock
from bot.services.assessments import VERDICT_LABELS
from bot.services.promotion_requests import Promoted, PromotionForm
from bot.services.readiness_reads import ReportReadiness
from bot.services.text import escape

MAX_DISAGREEMENTS = 20  # listed in the modal; the rest are counted
MAX_PROMOTE_BUTTONS = 10  # of Slack's 25 elements per actions block


@dataclass(frozen=True, slots=True)
class PromotionTarget:
    """Who, which area (None: every area) and which level: the button's value and the modal's metadata.
    It comes back from Slack, so the service re-checks every part."""

    person_id: int | None
    area_id: str | None
    level_id: str | None

    def dump(self) -> str:
        return json.dumps({"p": self.person_id, "a": self.area_id, "l": self.level_id}, separators=(",", ":"))

    @classmethod
    def parse(cls, raw: str | None) -> PromotionTarget:
        """Never raises: anything unreadable becomes an empty target, which the service refuses."""
        try:
            data = json.loads(raw or "")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return cls(None, None, None)

        def text(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) and value else None

        person = data.get("p")
        return cls(person if isinstance(person, int) and not isinstance(person, bool) else None, text("a"), text("l"))


def promote_button(person_id: int, area_id: str, level_id: str, label: str) -> ButtonElement:
    return ButtonElement(
        text=shorten(label, BUTTON_TEXT_MAX),
        action_id=PromotionAction.OPEN,
        value=PromotionTarget(person_id, area_id, level_id).dump(),
    )


def promotion_modal(form: PromotionForm) -> View:
    who = f"<@{form.person_slack_id}>"
    changes = "\n".join(
        f"• *{escape(c.area_name)}*: {escape(c.from_level or 'not placed')} → *{escape(c.to_level)}*"
        for c in form.changes
    )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"Promote {who} on *{escape(form.framework_name)}*:\n{changes}")),
    ]
    if form.unchanged:
        blocks.append(context("Already there or above: " + escape(", ".join(form.unchanged)) + "."))
    blocks.append(HeaderBlock(text="Readiness"))
    if form.readiness is None:
        blocks.append(context("Readiness and verdicts are the engineer's data: only their manager sees them."))
    else:
        blocks += mrkdwn_sections(area_lines(form.readiness, self_label="self") or ["No behaviours to judge."])
        if form.beyond_next:
            skipped = escape(", ".join(form.beyond_next))
            blocks.append(context(f"{skipped}: this skips a level; readiness is shown for the next level only."))
        blocks += _disagreement_blocks(form)
    blocks.append(context("Nothing is promoted until you press Promote. The engineer is told by DM."))
    return View(
        type="modal",
        callback_id=Callback.PROMOTION,
        title=PlainTextObject(text="Promotion"),
        submit=PlainTextObject(text="Promote"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=PromotionTarget(form.person_id, form.area_id, form.level_id).dump(),
        blocks=blocks,
    )


def _disagreement_blocks(form: PromotionForm) -> list[Block]:
    if not form.disagreements:
        return [context("No open disagreements between self and manager verdicts.")]
    lines = [
        f"• {escape(shorten(d.behaviour_text, 200))}: self _{VERDICT_LABELS[d.self_verdict]}_, "
        f"manager _{VERDICT_LABELS[d.manager_verdict]}_"
        for d in form.disagreements[:MAX_DISAGREEMENTS]
    ]
    if len(form.disagreements) > MAX_DISAGREEMENTS:
        lines.append(f"…and {len(form.disagreements) - MAX_DISAGREEMENTS} more.")
    count = len(form.disagreements)
    return [HeaderBlock(text=f"Open disagreements ({count})"), *mrkdwn_sections(lines)]


def _changes_text(promoted: Promoted) -> str:
    return ", ".join(f"{c.to_level} in {c.area_name}" for c in promoted.changes)


def promoted_view(promoted: Promoted) -> View:
    """The modal after Promote: done."""
    text = f"Done: <@{promoted.person_slack_id}> is now {escape(_changes_text(promoted))}. They've been told by DM."
    return View(
        type="modal",
        callback_id=Callback.PROMOTION,
        title=PlainTextObject(text="Promotion"),
        close=PlainTextObject(text="Close"),
        blocks=[SectionBlock(text=MarkdownTextObject(text=text))],
    )


def refused_view(message: str) -> View:
    return View(
        type="modal",
        callback_id=Callback.PROMOTION,
        title=PlainTextObject(text="Promotion"),
        close=PlainTextObject(text="Close"),
        blocks=[SectionBlock(text=MarkdownTextObject(text=message))],
    )


def promoted_dm_text(promoted: Promoted) -> str:
    return f"Congratulations! <@{promoted.promoted_by_slack_id}> recorded your promotion: {_changes_text(promoted)}."


def promoted_dm_blocks(promoted: Promoted) -> list[Block]:
    lines = [f"• {escape(step)}" for step in promoted.next_steps]
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text=f":tada: Congratulations! <@{promoted.promoted_by_slack_id}> recorded your promotion: "
                f"{escape(_changes_text(promoted))}."
            )
        ),
        *mrkdwn_sections(["*Your next milestone*", *lines]),
        context("Your weekly question now draws on your new next milestone. `/ladder next` lists it."),
    ]


def promote_actions(reports: Iterable[tuple[str, ReportReadiness]], limit: int = MAX_PROMOTE_BUTTONS) -> list[Block]:
    """One Promote button per ready area of the (name, readiness) reports, in one actions block."""
    buttons = [
        promote_button(
            report.person_id, area.area_id, area.level_id, f"Promote {name}: {area.area_name} → {area.level_name}"
        )
        for name, report in reports
        for area in report.ready
        if area.level_id is not None
    ]
    return [ActionsBlock(block_id=PromotionBlock.ACTIONS, elements=buttons[:limit])] if buttons else []
