"""Block Kit for digests: the manager's DM before a 1:1 and the engineer's preview of it.

The engineer's preview is the manager's digest, block for block, with the flag buttons instead of the
sign-off menus and one introduction block (DigestBlock.PREVIEW_INTRO); dates are in the reader's
local terms (bot.blocks.when). A digest can be long (a busy fortnight, long evidence texts). It is
split into several messages of at most 50 blocks, sections of at most 3000 characters and a short
notification text; every part says "part i of n", so nothing is ever cut silently.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks.common import HEADER_TEXT_MAX, SECTION_TEXT_MAX, mrkdwn_sections, progress_bar, shorten
from bot.blocks.when import slack_date
from bot.ids import Callback, DigestAction, DigestBlock, DigestNoteAction
from bot.services import last_evidence
from bot.services.assessments import VERDICT_LABELS, VERDICT_ORDER, VerdictView
from bot.services.digest_content import (
    AreaCoverage,
    BehaviourEvidence,
    DigestContent,
    EvidenceItem,
    ItemState,
    TalkingPoint,
)
from bot.services.disputes import MAX_CITED
from bot.services.text import escape
from storage.models import Rater, Verdict

MESSAGE_MAX_BLOCKS = 50
MESSAGE_TEXT_MAX = 40_000  # the notification text stays far below it

Audience = Literal["manager", "preview", "self"]

_SAFE_URL = re.compile(r"https?://[^\s<>|]+")


@dataclass(frozen=True, slots=True)
class DigestMessage:
    text: str  # notification / fallback text
    blocks: list[Block]

    def to_dicts(self) -> list[dict]:
        return [block.to_dict() for block in self.blocks]


__all__ = ["slack_date"]  # re-exported: bot.blocks.when is its home


def reader_tz(content: DigestContent, audience: Audience) -> str:
    """Whose local dates a rendering shows: the manager's for their digest, the engineer's otherwise."""
    if audience == "manager" and content.manager is not None:
        return content.manager.tz
    return content.report.tz


def link(url: str | None, label: str = "link") -> str:
    """A mrkdwn link for a well-formed http(s) URL; anything else is shown as escaped text."""
    if not url:
        return ""
    if _SAFE_URL.fullmatch(url):
        return f"<{url.replace('&', '&amp;')}|{label}>"
    return escape(url)


def item_line(item: EvidenceItem, *, bullet: str = "•", behaviour_id: str | None = None, tz: str = "UTC") -> str:
    extra = f" ({link(item.link)})" if item.link else ""
    flag = " :speech_balloon:" if item.to_discuss else ""
    day = slack_date(item.created_at, tz)
    return f"{bullet} {day}: {escape(item.text)}{extra}{flag}{dispute_mark(item, behaviour_id)}"


def dispute_mark(item: EvidenceItem, behaviour_id: str | None) -> str:
    """ " — disputed: <comment>" when the manager said this item doesn't show `behaviour_id`."""
    for tag in item.tags:
        if tag.behaviour_id == behaviour_id and tag.disputed:
            comment = f": {escape(tag.dispute_comment)}" if tag.dispute_comment else ""
            return f" · :warning: _disputed: doesn't show this_{comment}"
    return ""


# --- verdicts and readiness -----------------------------------------------------------------------

SIGN_OFF_DISPUTE = "dispute"
SIGN_OFF_CHOICES = (*reversed(VERDICT_ORDER), SIGN_OFF_DISPUTE)  # Consistently first, as people read it
# Worded for both readers: the manager's digest and the engineer's preview show the same line.
NO_VERDICT = "_No manager verdict yet._"


def verdict_text(verdict: VerdictView, tz: str = "UTC") -> str:
    who = "self" if verdict.rater is Rater.SELF else "manager"
    comment = f" — {escape(verdict.comment)}" if verdict.comment else ""
    return f"*{verdict.label}* ({who}, {slack_date(verdict.created_at, tz)}){comment}"


def focus_lines(content: DigestContent) -> list[str]:
    """The report's focus behaviours and their progress: the digest's first section."""
    if not content.focus:
        return []
    lines = ["*Focus*"]
    for line in content.focus:
        items = "no evidence yet" if line.count == 0 else f"{line.count} item{'s' if line.count != 1 else ''}"
        new = f", {line.new} new" if line.new else ""
        verdict = f" · manager: {VERDICT_LABELS[line.verdict.verdict]}" if line.verdict else ""
        lines.append(f":dart: {escape(line.text)} · {items}{new}{verdict}")
    return lines


def new_verdict_lines(content: DigestContent, tz: str = "UTC") -> list[str]:
    if not content.new_verdicts:
        return []
    lines = ["*New verdicts since the last 1:1*"]
    lines += [f"• “{escape(v.behaviour_text)}”: {verdict_text(v, tz)}" for v in content.new_verdicts]
    return lines


def readiness_lines(content: DigestContent) -> list[str]:
    shown = [r for r in content.readiness if not r.at_top]
    if not shown:
        return []
    lines = ["*Readiness for the next level* (manager verdicts “consistently” / needed)"]
    for area in shown:
        bar = progress_bar(area.consistently, area.needed) if area.needed else "no behaviours listed"
        mark = " :white_check_mark:" if area.ready else ""
        lines.append(f"`{bar}` {escape(area.headline)}{mark}")
    return lines


def sign_off_suffix(person_id: int, behaviour_id: str, evidence_ids: list[int]) -> str:
    return f"{person_id}:{behaviour_id}:{','.join(str(i) for i in evidence_ids[-MAX_CITED:])}"


def parse_sign_off_block(block_id: str | None) -> tuple[int | None, str | None, list[int]]:
    """(person id, behaviour id, evidence ids) from a sign-off block id; untrusted, re-checked later."""
    prefix = DigestBlock.SIGN_OFF_PREFIX.value
    if not block_id or not block_id.startswith(prefix):
        return None, None, []
    person, _, rest = block_id[len(prefix) :].partition(":")
    behaviour, _, ids = rest.rpartition(":")
    try:
        evidence_ids = [int(i) for i in ids.split(",") if i]
    except ValueError:
        return None, None, []
    return (int(person) if person.isdigit() else None), (behaviour or None), evidence_ids


def parse_sign_off_choice(value: object) -> Verdict | Literal["dispute"] | None:
    if value == SIGN_OFF_DISPUTE:
        return SIGN_OFF_DISPUTE
    return next((v for v in Verdict if v.value == value), None)


def _sign_off_menu() -> OverflowMenuElement:
    options = [Option(text=VERDICT_LABELS[v], value=v.value) for v in SIGN_OFF_CHOICES if isinstance(v, Verdict)]
    options.append(Option(text="Doesn't show this", value=SIGN_OFF_DISPUTE))
    return OverflowMenuElement(action_id=DigestAction.SIGN_OFF, options=options)


def signed_off_line(verdict: VerdictView | None, tz: str = "UTC") -> str:
    return f"Manager's verdict: {verdict_text(verdict, tz)}" if verdict is not None else NO_VERDICT


def _group_blocks(
    content: DigestContent, area_name: str, group: BehaviourEvidence, audience: Audience, tz: str, seen: set[int]
) -> list[Block]:
    """One behaviour's new evidence, the same blocks for the manager and the preview: a heading, a
    section per item and, for a behaviour of the person's ladder, its manager verdict. The manager's
    heading carries the sign-off menu; the preview's items carry the flag buttons (one per item)."""
    level = f" ({escape(group.level_name)})" if group.level_name else ""
    judged = group.behaviour_id is not None and group.behaviour_id in content.judgeable
    suffix = (
        sign_off_suffix(content.report.person_id, group.behaviour_id, [i.id for i in group.items])  # type: ignore[arg-type]
        if judged
        else ""
    )
    heading = f"*{escape(area_name)}* · _{escape(group.text)}_{level}"
    blocks: list[Block] = []
    if judged and audience == "manager":
        blocks.append(
            SectionBlock(
                block_id=f"{DigestBlock.SIGN_OFF_PREFIX}{suffix}",
                text=MarkdownTextObject(text=shorten(heading, SECTION_TEXT_MAX)),
                accessory=_sign_off_menu(),
            )
        )
    else:
        blocks.extend(mrkdwn_sections([heading]))
    for item in group.items:
        line = item_line(item, behaviour_id=group.behaviour_id, tz=tz)
        repeated = item.id in seen
        seen.add(item.id)
        sections = mrkdwn_sections([line + (" _(also above)_" if repeated else "")])
        if audience == "preview" and not repeated:
            button = (
                ButtonElement(text="Unflag", action_id=DigestAction.UNFLAG, value=str(item.id))
                if item.to_discuss
                else ButtonElement(text="Flag to discuss", action_id=DigestAction.FLAG, value=str(item.id))
            )
            sections[0] = SectionBlock(
                block_id=f"{DigestBlock.ITEM_PREFIX}{len(seen)}", text=sections[0].text, accessory=button
            )
        blocks.extend(sections)
    if judged:
        line = signed_off_line(content.manager_verdicts.get(group.behaviour_id), tz)  # type: ignore[arg-type]
        block_id = f"{DigestBlock.VERDICT_PREFIX}{suffix}" if audience == "manager" else None
        blocks.append(ContextBlock(block_id=block_id, elements=[MarkdownTextObject(text=line)]))
    return blocks


def _evidence_blocks(content: DigestContent, audience: Audience, tz: str) -> list[Block]:
    """New evidence in the manager's digest and, identically but for the buttons, in the preview."""
    if content.nothing_new:
        return []
    noun = "item" if content.new_evidence_count == 1 else "items"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"*New evidence* ({content.new_evidence_count} {noun})"))
    ]
    seen: set[int] = set()
    for area in content.new_evidence:
        for group in area.behaviours:
            blocks.extend(_group_blocks(content, area.area_name, group, audience, tz, seen))
    return blocks


def with_verdict(blocks: list[dict[str, Any]], block_id: str, line: str) -> list[dict[str, Any]]:
    """The digest part's blocks (as Slack returned them) with one behaviour's verdict line replaced.

    Display only: the verdict itself was stored and re-checked by the service. The line's block is
    always there, so the part keeps its block count (and stays within Slack's 50).
    """
    prefix = DigestBlock.SIGN_OFF_PREFIX.value
    if not block_id.startswith(prefix):
        return blocks
    wanted = DigestBlock.VERDICT_PREFIX.value + block_id[len(prefix) :]
    updated = []
    for block in blocks:
        if block.get("block_id") == wanted:
            block = {**block, "elements": [MarkdownTextObject(text=line).to_dict()]}
        updated.append(block)
    return updated


NEW_LEVEL = " · new level"


def _change(area: AreaCoverage) -> str:
    if area.new_level:  # measured against another level last time: a delta would compare two milestones
        return NEW_LEVEL
    change = area.change
    if not change:  # unknown or none: "no change" is said once for the whole milestone, if at all
        return ""
    sign = "+" if change > 0 else "−"
    return f" · {sign}{abs(change)} since the last digest"


NO_COVERAGE_CHANGE = "_No change in any area since the last digest._"


def coverage_lines(content: DigestContent) -> list[str]:
    lines = ["*Next milestone coverage* (behaviours with evidence / all)"]
    shown = [c for c in content.coverage if not c.at_top]
    for area in shown:
        level = f" → {escape(area.level_name)}" if area.level_name else ""
        bar = progress_bar(area.covered, area.total) if area.total else "no behaviours listed for this level"
        lines.append(f"`{bar}` {escape(area.area_name)}{level}{_change(area)}")
    if content.coverage_unchanged:
        lines.append(NO_COVERAGE_CHANGE)
    top = [c for c in content.coverage if c.at_top]
    if top:
        lines.append("Already at the top level: " + ", ".join(escape(c.area_name) for c in top))
    if not content.coverage:
        lines.append("_No next milestone to measure against._")
    return lines


def talking_point_lines(points: tuple[TalkingPoint, ...], tz: str = "UTC") -> list[str]:
    if not points:
        return ["*Suggested talking points*", "_Nothing stands out: every behaviour has recent evidence._"]
    lines = ["*Suggested talking points*"]
    for number, point in enumerate(points, start=1):
        lines.append(f"{number}. {escape(point.text)}")
        if point.why:
            lines.append(f"      _Why: {escape(point.why)}_")
        lines.extend(item_line(item, bullet="      ◦", tz=tz) for item in point.items)
    return lines


def prompt_line(content: DigestContent, tz: str = "UTC") -> str:
    activity = content.prompts
    since = "since the last 1:1" if content.meeting_at else "in this period"
    if activity.asked == 0:
        answered = f"No prompts {since}"
    else:
        rate = round(100 * (activity.rate or 0))
        answered = f"Answered {activity.answered} of {activity.asked} prompts {since} ({rate}%)"
    if activity.away:
        answered += f" · {activity.away} skipped while away"
    last = (
        f"{last_evidence.LABEL}: {slack_date(content.last_evidence_at, tz)}"
        if content.last_evidence_at
        else last_evidence.NONE_YET
    )
    return f"*Prompts*: {answered} · {last}"


def _evidence_lines(content: DigestContent, tz: str = "UTC") -> list[str]:
    if content.nothing_new:
        return []
    noun = "item" if content.new_evidence_count == 1 else "items"
    lines = [f"*New evidence* ({content.new_evidence_count} {noun})"]
    for area in content.new_evidence:
        lines.append(f"*{escape(area.area_name)}*")
        for group in area.behaviours:
            level = f" ({escape(group.level_name)})" if group.level_name else ""
            lines.append(f"_{escape(group.text)}_{level}")
            lines.extend(item_line(item, behaviour_id=group.behaviour_id, tz=tz) for item in group.items)
    return lines


def _header(content: DigestContent, audience: Audience, tz: str) -> tuple[str, str]:
    name = content.report.name
    if audience == "self":
        title = "Your progress digest"
    else:  # the preview shows the manager's digest as the manager gets it
        title = f"Before your 1:1 with {name}" if content.meeting_at else f"Progress digest: {name}"
    period = f"{slack_date(content.period_start, tz)} – {slack_date(content.period_end, tz)}"
    ladder = f" · {escape(content.framework_name)}" if content.framework_name else ""
    meeting = f" · 1:1 on {slack_date(content.meeting_at, tz)}" if content.meeting_at else ""
    return shorten(title, HEADER_TEXT_MAX), f"{escape(name)} · {period}{ladder}{meeting}"


def preview_intro(content: DigestContent) -> SectionBlock:
    manager = escape(content.manager.name) if content.manager else "your manager"
    return SectionBlock(
        block_id=DigestBlock.PREVIEW_INTRO,
        text=MarkdownTextObject(
            text=f"*Preview: what your manager will see.* Below is exactly the digest {manager} gets before "
            "your 1:1. Flag anything you want to talk about, or add a last-minute note."
        ),
    )


def digest_blocks(
    content: DigestContent, audience: Audience = "manager", *, digest_id: int | None = None
) -> list[Block]:
    """Every block of the digest in order, before splitting into messages."""
    tz = reader_tz(content, audience)
    title, subtitle = _header(content, audience, tz)
    blocks: list[Block] = []
    if audience == "preview":
        blocks.append(preview_intro(content))
    blocks += [HeaderBlock(text=PlainTextObject(text=title, emoji=False)), _context(subtitle)]
    blocks.extend(mrkdwn_sections(focus_lines(content)))  # focus progress first
    if content.notes:
        blocks.extend(mrkdwn_sections([escape(note) for note in content.notes]))
    blocks.extend(mrkdwn_sections(new_verdict_lines(content, tz)))
    if audience == "self":
        blocks.extend(mrkdwn_sections(_evidence_lines(content, tz)))
    else:
        blocks.extend(_evidence_blocks(content, audience, tz))
    blocks.append(DividerBlock())
    blocks.extend(mrkdwn_sections(coverage_lines(content)))
    blocks.extend(mrkdwn_sections(readiness_lines(content)))
    blocks.extend(mrkdwn_sections(talking_point_lines(content.talking_points, tz)))
    blocks.extend(mrkdwn_sections([prompt_line(content, tz)]))
    if audience == "preview":
        blocks.append(
            ActionsBlock(
                block_id=DigestBlock.NOTE,
                elements=[
                    ButtonElement(
                        text="Add a last-minute note",
                        action_id=DigestAction.ADD_NOTE,
                        value=str(digest_id) if digest_id is not None else "",
                    )
                ],
            )
        )
    return blocks


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def notification_text(content: DigestContent, audience: Audience) -> str:
    name = escape(content.report.name)
    if content.nothing_new:
        what = "nothing new"
    else:
        what = f"{content.new_evidence_count} new evidence item" + ("" if content.new_evidence_count == 1 else "s")
    if audience == "manager":
        return f"Before your 1:1 with {name}: {what}" if content.meeting_at else f"Progress digest for {name}: {what}"
    if audience == "preview":
        return f"Preview of your manager's digest: {what}"
    return f"Your progress digest: {what}"


def split_messages(blocks: list[Block], text: str) -> list[DigestMessage]:
    """Split blocks across messages of at most 50 blocks; each part after the first says which it is."""
    per_message = MESSAGE_MAX_BLOCKS - 1  # room for the "part i of n" context
    chunks = [blocks[i : i + per_message] for i in range(0, len(blocks), per_message)] or [[]]
    if len(chunks) == 1:
        return [DigestMessage(text=text, blocks=chunks[0])]
    total = len(chunks)
    messages = []
    for number, chunk in enumerate(chunks, start=1):
        label = f"Part {number} of {total}"
        marker = ContextBlock(elements=[MarkdownTextObject(text=label)])
        part_blocks = [*chunk, marker] if number == 1 else [marker, *chunk]
        messages.append(DigestMessage(text=f"{text} ({label.lower()})", blocks=part_blocks))
    return messages


def digest_messages(
    content: DigestContent, audience: Audience = "manager", *, digest_id: int | None = None
) -> list[DigestMessage]:
    """The digest as one or more messages, each within Slack's limits."""
    return split_messages(digest_blocks(content, audience, digest_id=digest_id), notification_text(content, audience))


def flagged_note(report_name: str, item: EvidenceItem, tz: str = "UTC") -> str:
    """What the manager sees in the digest thread when the engineer flags an item after it was sent
    (`tz`: the manager's)."""
    return f"{escape(report_name)} flagged this to discuss:\n{item_line(item, tz=tz)}"


def last_minute_note(report_name: str, note: str) -> str:
    return f"Last-minute note from {escape(report_name)}:\n>{escape(note).replace(chr(10), chr(10) + '>')}"


def with_item_state(blocks: list[dict[str, Any]], evidence_id: int, state: ItemState) -> list[dict[str, Any]]:
    """The preview's blocks (as Slack returned them) with one item's button showing its new state.

    Display only: what the button may do is re-checked when it is clicked.
    """
    updated = []
    for block in blocks:
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") in (DigestAction.FLAG, DigestAction.UNFLAG) and accessory.get("value") == str(
            evidence_id
        ):
            block = dict(block)
            if state == "sent_to_manager":
                block.pop("accessory")
                text = dict(block["text"])
                text["text"] = f"{text['text']}\n:speech_balloon: _Flagged: sent to your manager's digest._"
                block["text"] = text
            elif state == "queued":
                block["accessory"] = ButtonElement(
                    text="Unflag", action_id=DigestAction.UNFLAG, value=str(evidence_id)
                ).to_dict()
            else:
                block["accessory"] = ButtonElement(
                    text="Flag to discuss", action_id=DigestAction.FLAG, value=str(evidence_id)
                ).to_dict()
        updated.append(block)
    return updated


def note_button_value(blocks: list[dict[str, Any]]) -> str | None:
    """The digest id the preview's note button carries (untrusted: callers re-check it)."""
    for block in blocks:
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("action_id") == DigestAction.ADD_NOTE:
                return element.get("value")
    return None


NOTE_MAX = 3000


def note_modal(digest_id: int, manager_name: str) -> View:
    return View(
        type="modal",
        callback_id=Callback.DIGEST_NOTE,
        title=PlainTextObject(text="Last-minute note"),
        submit=PlainTextObject(text="Send"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=json.dumps({"digest_id": digest_id}),
        blocks=[
            InputBlock(
                block_id=DigestBlock.NOTE,
                label=PlainTextObject(text=f"A note for {shorten(manager_name, 60)} before your 1:1"),
                element=PlainTextInputElement(action_id=DigestNoteAction.TEXT, multiline=True, max_length=NOTE_MAX),
            )
        ],
    )


def parse_note(view: dict[str, Any]) -> tuple[int | None, str]:
    """(digest id from private_metadata, the note text). Both came back from Slack: re-check the id."""
    try:
        digest_id = json.loads(view.get("private_metadata") or "{}").get("digest_id")
    except (ValueError, AttributeError):
        digest_id = None
    values = ((view.get("state") or {}).get("values") or {}).get(DigestBlock.NOTE) or {}
    text = (values.get(DigestNoteAction.TEXT) or {}).get("value") or ""
    return (digest_id if isinstance(digest_id, int) else None), text.strip()
