"""Check-ins in Block Kit: the rating modal (one page per area, with progress), its parser, the start
and reminder messages with their "Start rating" button, the side-by-side result, and the App Home
section that resumes an open check-in.

A page has at most `checkins.BEHAVIOURS_PER_PAGE` behaviours of four blocks each, so a modal stays far
below Slack's 100-block limit; `rating_modal` also checks it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks.common import OPTION_TEXT_MAX, context, mrkdwn_sections
from bot.blocks.when import date_text, slack_date
from bot.ids import Callback, CheckinAction, CheckinBlock, checkin_block_id
from bot.services import timing
from bot.services.assessments import VERDICT_LABELS, VERDICT_ORDER, VerdictView
from bot.services.checkin_requests import Answer, Finished, PendingCheckin, RatingForm, Started
from bot.services.checkin_tick import Reminder, RevealNote
from bot.services.text import escape, shorten
from storage.models import MAX_COMMENT, Rater

VIEW_MAX_BLOCKS = 100  # facts, "Block Kit limits": 100 blocks per modal
TITLE_MAX = 24  # facts: modal title <= 24 characters
LABEL_MAX = 2000
HOME_ROWS = 5

_VERDICT_OPTIONS = {v: Option(text=VERDICT_LABELS[v], value=v.value) for v in VERDICT_ORDER}


def page_title(area_name: str, number: int, count: int) -> str:
    """ "Delivery · 2 of 5", the area name shortened so the whole fits Slack's title limit."""
    suffix = f" · {number} of {count}"
    return shorten(area_name, TITLE_MAX - len(suffix)) + suffix


def start_button(checkin_id: int, text: str = "Start rating") -> ButtonElement:
    return ButtonElement(text=text, action_id=CheckinAction.OPEN, value=str(checkin_id), style="primary")


def _intro(form: RatingForm) -> str:
    if form.self_only:
        return "A self-only check-in: you have no accepted manager, so only you rate. Nobody else sees it."
    if form.rater is Rater.SELF:
        return "Blind: your manager sees your verdicts only once you have both submitted (or the deadline passes)."
    return (
        f"Rating *{escape(form.person_name)}* as their manager. Blind: they see your verdicts only once you "
        "have both submitted (or the deadline passes)."
    )


def _evidence_option(option_id: int, text: str, created_at: datetime, tz: str | None) -> Option:
    local = timing.to_local(created_at, tz)  # plain text: the rater's local date
    return Option(text=shorten(f"{local:%d %b}: {text}", OPTION_TEXT_MAX), value=str(option_id))


def _behaviour_blocks(form: RatingForm, index: int) -> list[Block]:
    behaviour = form.page.behaviours[index]
    previous: VerdictView | None = form.previous.get(behaviour.id)
    radio = RadioButtonsElement(
        action_id=CheckinAction.VERDICT,
        options=list(_VERDICT_OPTIONS.values()),
        initial_option=_VERDICT_OPTIONS[previous.verdict] if previous is not None else None,
    )
    hint = f"Last time: {previous.label}, {date_text(previous.created_at, form.tz)}" if previous is not None else None
    blocks: list[Block] = [
        InputBlock(
            block_id=checkin_block_id(CheckinBlock.VERDICT_PREFIX, behaviour.id),
            label=shorten(behaviour.text, LABEL_MAX),
            element=radio,
            hint=hint,
        ),
        InputBlock(
            block_id=checkin_block_id(CheckinBlock.COMMENT_PREFIX, behaviour.id),
            label="Comment",
            optional=True,
            element=PlainTextInputElement(action_id=CheckinAction.COMMENT, multiline=True, max_length=MAX_COMMENT),
        ),
    ]
    evidence = form.evidence.get(behaviour.id, ())
    if evidence:
        options = [_evidence_option(e.id, e.text, e.created_at, form.tz) for e in evidence]
        cited = set(previous.evidence_ids) if previous is not None else set()
        initial = [option for option, e in zip(options, evidence, strict=True) if e.id in cited]
        blocks.append(
            InputBlock(
                block_id=checkin_block_id(CheckinBlock.EVIDENCE_PREFIX, behaviour.id),
                label="Evidence that shows it",
                optional=True,
                element=StaticMultiSelectElement(
                    action_id=CheckinAction.EVIDENCE,
                    placeholder="Cite evidence",
                    options=options,
                    initial_options=initial or None,
                ),
            )
        )
    blocks.append(DividerBlock())
    return blocks


def rating_modal(form: RatingForm) -> View:
    number, count = form.page.index + 1, form.page_count
    blocks: list[Block] = [context(_intro(form))]
    for index in range(len(form.page.behaviours)):
        blocks += _behaviour_blocks(form, index)
    if len(blocks) > VIEW_MAX_BLOCKS:  # unreachable with BEHAVIOURS_PER_PAGE; never send an invalid view
        raise ValueError(f"a check-in page of {len(blocks)} blocks is over Slack's limit")
    return View(
        type="modal",
        callback_id=Callback.CHECKIN_PAGE,
        title=PlainTextObject(text=page_title(form.page.area_name, number, count)),
        submit=PlainTextObject(text="Next" if number < count else "Submit"),
        close=PlainTextObject(text="Later"),
        private_metadata=json.dumps({"checkin": form.checkin_id, "page": form.page.index}),
        blocks=blocks,
    )


def parse_rating(view: dict[str, Any]) -> tuple[int | None, int | None, dict[str, Answer]]:
    """(check-in id, page index, answers by behaviour id), all as Slack sent them: the service re-checks."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        meta = {}
    meta = meta if isinstance(meta, dict) else {}
    checkin_id, page = meta.get("checkin"), meta.get("page")
    values: dict[str, Any] = (view.get("state") or {}).get("values") or {}
    verdicts: dict[str, str | None] = {}
    comments: dict[str, str | None] = {}
    cited: dict[str, tuple[str, ...]] = {}
    for block_id, actions in values.items():
        if not isinstance(actions, dict):
            continue
        for prefix, action_id in (
            (CheckinBlock.VERDICT_PREFIX, CheckinAction.VERDICT),
            (CheckinBlock.COMMENT_PREFIX, CheckinAction.COMMENT),
            (CheckinBlock.EVIDENCE_PREFIX, CheckinAction.EVIDENCE),
        ):
            if not block_id.startswith(prefix.value):
                continue
            behaviour_id = block_id[len(prefix.value) :]
            state = actions.get(action_id) or {}
            if prefix is CheckinBlock.VERDICT_PREFIX:
                verdicts[behaviour_id] = (state.get("selected_option") or {}).get("value")
            elif prefix is CheckinBlock.COMMENT_PREFIX:
                comments[behaviour_id] = state.get("value")
            else:
                cited[behaviour_id] = tuple(str(o.get("value", "")) for o in state.get("selected_options") or [])
    answers = {b: Answer(verdicts.get(b), comments.get(b), cited.get(b, ())) for b in {*verdicts, *comments, *cited}}
    return (
        checkin_id if isinstance(checkin_id, int) else None,
        page if isinstance(page, int) else None,
        answers,
    )


def notice_modal(title: str, text: str) -> View:
    """A modal that only says something (a refusal, a closed check-in, thanks)."""
    return View(
        type="modal",
        title=PlainTextObject(text=shorten(title, TITLE_MAX)),
        close=PlainTextObject(text="Close"),
        blocks=[SectionBlock(text=MarkdownTextObject(text=text))],
    )


def finished_text(finished: Finished) -> str:
    if finished.revealed:
        if finished.self_only:
            return "Your check-in is complete. I've sent you a summary in a DM."
        return "You've both submitted: I've sent you both the side-by-side result in a DM."
    if finished.waiting_for:
        return (
            f"Submitted. <@{finished.waiting_for}> hasn't finished yet; you'll both see the side-by-side result "
            "once they have, or when the deadline passes."
        )
    return "Submitted. You'll both see the side-by-side result when the deadline passes."


def started_text(started: Started) -> str:
    if not started.created:
        return "A check-in is already open: carry on where you left off."
    whose = "your" if started.role is Rater.SELF else f"{escape(started.person_name)}'s"
    text = (
        f"Check-in started: {started.areas} area{'s' if started.areas != 1 else ''} of {whose} next milestone, "
        f"due {slack_date(started.deadline_at, started.starter_tz)}."
    )
    if started.self_only:
        text += " You have no accepted manager, so it's a self-only check-in: only you rate."
    elif started.role is Rater.SELF:
        text += " Your manager rates too; neither of you sees the other's verdicts until you've both submitted."
    else:
        text += " They rate themselves too; neither of you sees the other's verdicts until you've both submitted."
    return text


def started_blocks(started: Started) -> list[Block]:
    """The starter's answer, with the button that opens the first page."""
    return [
        SectionBlock(text=MarkdownTextObject(text=started_text(started))),
        ActionsBlock(elements=[start_button(started.checkin_id)]),
    ]


def invite_text(started: Started, *, scheduled: bool, tz: str | None = None) -> str:
    """The other rater's DM (or both raters', for a check-in the schedule started); `tz`: the reader's."""
    when = f"Please rate by {slack_date(started.deadline_at, tz)}; it's blind until you've both submitted."
    if scheduled:
        return f"It's check-in time for {escape(started.person_name)}'s next milestone (from your 1:1 schedule). {when}"
    if started.role is Rater.SELF:
        return f"{escape(started.person_name)} started a check-in on their next milestone. {when}"
    return f"Your manager started a check-in on your next milestone. {when}"


def moved_text(started: Started, tz: str | None = None) -> str:
    """To a new manager: the report's open check-in is theirs to rate now (`tz`: the manager's)."""
    when = f"Please rate by {slack_date(started.deadline_at, tz)}; it's blind until you've both submitted."
    return f"You're now {escape(started.person_name)}'s manager, so their open check-in is yours to rate. {when}"


def moved_blocks(started: Started, tz: str | None = None) -> list[Block]:
    return [
        SectionBlock(text=MarkdownTextObject(text=moved_text(started, tz))),
        ActionsBlock(elements=[start_button(started.checkin_id)]),
    ]


def invite_blocks(started: Started, *, scheduled: bool, tz: str | None = None) -> list[Block]:
    return [
        SectionBlock(text=MarkdownTextObject(text=invite_text(started, scheduled=scheduled, tz=tz))),
        ActionsBlock(elements=[start_button(started.checkin_id)]),
    ]


def reminder_text(reminder: Reminder) -> str:
    whose = "your" if reminder.rater is Rater.SELF else f"{escape(reminder.person_name)}'s"
    closes = slack_date(reminder.deadline_at, reminder.tz)
    return (
        f"A reminder: {whose} check-in is waiting for your verdicts. It closes {closes} "
        "and shows what was rated by then."
    )


def reminder_blocks(reminder: Reminder) -> list[Block]:
    return [
        SectionBlock(text=MarkdownTextObject(text=reminder_text(reminder))),
        ActionsBlock(elements=[start_button(reminder.checkin_id, "Continue check-in")]),
    ]


def _who(note: RevealNote, rater: Rater) -> str:
    result = note.result
    if rater is note.viewer:
        return "you"
    name = result.person_name if rater is Rater.SELF else (result.manager_name or "your manager")
    return escape(name)


def _comment_lines(note: RevealNote, behaviour_id: str) -> list[str]:
    lines = []
    for rater in (Rater.SELF, Rater.MANAGER):
        comment = note.result.comments.get((rater, behaviour_id))
        if comment:
            lines.append(f"    _{_who(note, rater)}:_ {escape(comment)}")
    return lines


def reveal_text(note: RevealNote) -> str:
    if note.viewer is Rater.SELF:
        return "Your check-in result"
    return f"Check-in result: {note.result.person_name}"


def reveal_blocks(note: RevealNote) -> list[Block]:
    """The side-by-side result: the two-step disagreements first, then one step, agreements, one-sided."""
    result = note.result
    blocks: list[Block] = [HeaderBlock(text=shorten(reveal_text(note), 150))]
    if result.at_deadline:
        blocks.append(context("The deadline passed, so this shows what was rated by then."))
    me, other = _who(note, Rater.SELF), _who(note, Rater.MANAGER)
    lines: list[str] = []
    for steps, heading in ((2, "Talking points: two steps apart"), (1, "One step apart")):
        gaps = [d for d in result.disagreements if d.steps == steps]
        if gaps:
            lines.append(f"*{heading}*")
        for gap in gaps:
            lines.append(
                f"• _{escape(gap.behaviour_text)}_ · {me}: {VERDICT_LABELS[gap.self_verdict]} · "
                f"{other}: {VERDICT_LABELS[gap.manager_verdict]}"
            )
            lines += _comment_lines(note, gap.behaviour_id)
    if result.agreements:
        lines.append("*Agreed*")
        for verdict in result.agreements:
            lines.append(f"• _{escape(verdict.behaviour_text)}_ · {verdict.label}")
            lines += _comment_lines(note, verdict.behaviour_id)
    for rater, rows in ((Rater.SELF, result.self_only), (Rater.MANAGER, result.manager_only)):
        if rows:
            lines.append("*Only you rated*" if rater is note.viewer else f"*Only {_who(note, rater)} rated*")
        for verdict in rows:
            lines.append(f"• _{escape(verdict.behaviour_text)}_ · {verdict.label}")
            lines += _comment_lines(note, verdict.behaviour_id)
    if not lines:
        lines.append("Nobody rated anything before the deadline.")
    blocks += mrkdwn_sections(lines)
    return blocks


def home_checkin_blocks(rows: Sequence[PendingCheckin], tz: str | None = None) -> list[Block]:
    """The App Home's open check-ins, each with a resume button (none once that side submitted)."""
    if not rows:
        return []
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text="Check-ins")]
    for row in rows[:HOME_ROWS]:
        whose = "Your check-in" if row.rater is Rater.SELF else f"{escape(row.person_name)}'s check-in"
        due = f"closes {slack_date(row.deadline_at, tz)}"
        if row.submitted:
            blocks.append(SectionBlock(text=f"{whose} · submitted; the result comes when both are in, or {due}"))
            continue
        blocks.append(
            SectionBlock(
                block_id=f"{CheckinBlock.HOME}:{row.checkin_id}",
                text=MarkdownTextObject(text=f"{whose} · {due}" + (" · self-only" if row.self_only else "")),
                accessory=start_button(
                    row.checkin_id, f"Continue check-in ({row.areas_done} of {row.areas_total} areas done)"
                ),
            )
        )
    return blocks
