"""The App Home tab: standing with progress bars, prompt schedule, recent evidence, and a manager's team.

Every list arrives capped from `bot.services.home`; `home_view` also guards Slack's 100-block limit
itself, so the view is publishable whatever the data.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks.access_log import home_access_log_blocks
from bot.blocks.checkin import home_checkin_blocks
from bot.blocks.common import context, progress_bar, shorten
from bot.blocks.focus import home_focus_blocks, report_focus_line
from bot.blocks.lookup import lines_to_blocks, removed_levels_blocks
from bot.blocks.promotion import promote_actions
from bot.blocks.readiness import area_lines, report_summary
from bot.blocks.when import last_evidence_text, slack_date
from bot.ids import EvidenceAction, HomeAction, HomeBlock, OneOnOneAction
from bot.services.backoff import ResponseRate
from bot.services.home import DisputedItem, EvidenceItem, HomeData, ReportRow, ScheduleInfo
from bot.services.readiness import AreaReadiness
from bot.services.slots import every
from bot.services.text import escape
from bot.services.timing import to_local

VIEW_MAX_BLOCKS = 100  # facts: 100 blocks per Home tab
EVIDENCE_PREVIEW = 280
AREA_BLOCK_BUDGET = 6
READINESS_BLOCK_BUDGET = 4


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def _button(text: str, action_id: str, style: str | None = None, confirm: ConfirmObject | None = None) -> ButtonElement:
    return ButtonElement(text=text, action_id=action_id, style=style, confirm=confirm)


def home_view(data: HomeData, now: datetime) -> View:
    blocks = _standing_blocks(data) if data.is_set_up else _welcome_blocks(data)
    blocks += home_checkin_blocks(data.checkins, data.tz)
    if data.is_set_up:
        blocks += _readiness_blocks(data.readiness)
        blocks += home_focus_blocks(data.focus)
        blocks += _disputed_blocks(data.disputed)
        blocks += _schedule_blocks(data.schedule, now, data.response_rate)
        blocks += _evidence_blocks(data.recent, data.tz)
    if data.reports or data.hidden_reports:
        blocks += _team_blocks(data.reports, data.hidden_reports, data.tz)
    if data.access_log is not None:
        blocks += home_access_log_blocks(data.access_log, data.tz)
    if len(blocks) > VIEW_MAX_BLOCKS:  # unreachable with the service's caps; never publish an invalid view
        blocks = [*blocks[: VIEW_MAX_BLOCKS - 1], context("Some sections were left out to fit Slack's limits.")]
    return View(type="home", blocks=blocks)


def _welcome_blocks(data: HomeData) -> list[Block]:
    intro = (
        "growthbot turns your career ladder into a weekly habit. Tell it which ladder you're on and your level; "
        "once a week it asks one question about your next milestone and keeps your answers as evidence for your "
        "1:1s and reviews."
    )
    blocks: list[Block] = [HeaderBlock(text="Welcome to growthbot :seedling:"), _section(intro)]
    if data.ladder_problem:
        blocks.append(_section(f":warning: {escape(data.ladder_problem)}"))
    blocks.append(
        ActionsBlock(
            block_id=HomeBlock.ACTIONS,
            elements=[_button("Set up growthbot", HomeAction.START_SETUP, "primary")],
        )
    )
    blocks.append(context("Takes a minute. You can change everything later with `/ladder setup`."))
    return blocks


def _standing_blocks(data: HomeData) -> list[Block]:
    standing = data.standing
    assert standing is not None
    framework = standing.framework
    if standing.milestone.at_top_everywhere:
        overall = "You're at the top of every area of this ladder :tada:"
    else:
        overall = f"Next milestone `{progress_bar(standing.covered, standing.total)}` behaviours with evidence"
    lines = []
    for progress in standing.areas:
        step = progress.step
        current = escape(step.current_level.name) if step.current_level else "not placed"
        if step.at_top:
            lines.append(f"*{escape(step.area.name)}* · {current} · top level")
        elif step.cell_empty:
            lines.append(f"*{escape(step.area.name)}* · {current} → {escape(step.next_level.name)} · nothing listed")
        else:
            bar = progress_bar(progress.covered, progress.total)
            lines.append(f"*{escape(step.area.name)}* · {current} → {escape(step.next_level.name)}  `{bar}`")
    return [
        HeaderBlock(text="Your growth"),
        _section(f"*{escape(framework.name)}* · {escape(standing.level_label)}\n{overall}"),
        *removed_levels_blocks(standing),
        *lines_to_blocks(lines, AREA_BLOCK_BUDGET, "See every area with `/ladder me`."),
        ActionsBlock(
            block_id=HomeBlock.ACTIONS,
            elements=[
                _button("Log evidence", HomeAction.LOG_EVIDENCE, "primary"),
                _button("Edit setup", HomeAction.EDIT_SETUP),
            ],
        ),
        context("`/ladder next` lists the behaviours of your next milestone."),
    ]


def _when(moment: datetime, tz: str) -> str:
    local = to_local(moment, tz)
    return f"{local:%a %d %b, %H:%M}"


def describe_schedule(schedule: ScheduleInfo, now: datetime) -> str:
    slot = f"{every(schedule, capitalised=True)} ({escape(schedule.tz)})"
    if schedule.paused and schedule.paused_until is None:
        return f"{slot}\n:double_vertical_bar: *Paused* until you resume."
    if schedule.paused and schedule.paused_until is not None and schedule.paused_until > now:
        return f"{slot}\n:double_vertical_bar: *Paused* until {_when(schedule.paused_until, schedule.tz)}."
    if schedule.next_due_at is not None:
        return f"{slot}\nNext question: {_when(schedule.next_due_at, schedule.tz)}."
    return slot


def _schedule_blocks(schedule: ScheduleInfo | None, now: datetime, rate: ResponseRate | None = None) -> list[Block]:
    if schedule is None:
        return []
    paused = schedule.paused and (schedule.paused_until is None or schedule.paused_until > now)
    button = (
        _button("Resume prompts", HomeAction.RESUME_PROMPTS, "primary")
        if paused
        else _button("Pause prompts", HomeAction.PAUSE_PROMPTS)
    )
    return [
        DividerBlock(),
        HeaderBlock(text="Weekly question"),
        _section(describe_schedule(schedule, now)),
        ActionsBlock(block_id=HomeBlock.SCHEDULE_ACTIONS, elements=[button]),
        *([context(rate.line)] if rate is not None and rate.asked else []),
    ]


def _evidence_blocks(items: tuple[EvidenceItem, ...], tz: str = "UTC") -> list[Block]:
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text="Recent evidence")]
    if not items:
        blocks.append(_section("Nothing yet. Answer your weekly question or press *Log evidence*."))
        return blocks
    for item in items:
        flag = " :speech_balloon:" if item.to_discuss else ""
        blocks.append(_section(shorten(escape(item.text), EVIDENCE_PREVIEW) + flag))
        shows = "; ".join(escape(shorten(text, 80)) for text in item.behaviours[:3])
        more = f" (+{len(item.behaviours) - 3})" if len(item.behaviours) > 3 else ""
        blocks.append(context(slack_date(item.created_at, tz) + (f" · {shows}{more}" if shows else "")))
    return blocks


def _disputed_blocks(items: tuple[DisputedItem, ...]) -> list[Block]:
    """Evidence the manager disputed, with the DM's "Change tag" button (bot.listeners.actions.prompt.retag)."""
    if not items:
        return []
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text="Disputed evidence to look at")]
    for item in items:
        quoted = ">" + shorten(escape(item.text), EVIDENCE_PREVIEW).replace("\n", "\n>")
        lines = [quoted, f"Doesn't show “{escape(item.behaviour_text)}”"]
        if item.comment:
            lines.append(f"Comment: {shorten(escape(item.comment), EVIDENCE_PREVIEW)}")
        blocks.append(_section("\n".join(lines)))
        blocks.append(
            ActionsBlock(
                block_id=f"{HomeBlock.DISPUTED}:{item.evidence_id}",
                elements=[
                    ButtonElement(text="Change tag", action_id=EvidenceAction.RETAG, value=str(item.evidence_id))
                ],
            )
        )
    blocks.append(context("Disputed evidence stops counting toward coverage and readiness until you retag it."))
    return blocks


def _readiness_blocks(areas: tuple[AreaReadiness, ...]) -> list[Block]:
    if not areas or all(a.at_top for a in areas):
        return []
    return [
        HeaderBlock(text="Readiness for your next level"),
        *lines_to_blocks(area_lines(areas), READINESS_BLOCK_BUDGET, "See every area with `/ladder me`."),
        context(
            "An area is ready when your manager judges its behaviours “consistently”. Nobody is promoted automatically."
        ),
    ]


def _report_line(row: ReportRow, tz: str = "UTC") -> str:
    who = f"<@{row.slack_user_id}>"
    last = last_evidence_text(row.last_evidence_at, tz)
    if row.ladder is None:
        return f"{who} · not set up · {last}"
    line = f"{who} · {escape(row.level_label or '')} · `{progress_bar(row.covered, row.total)}` · {last}"
    line += f"\n      {report_summary(row.readiness)}" if row.readiness else ""
    if row.focus:
        line += f"\n      {report_focus_line(row.focus)}"
    return line


def _team_blocks(rows: tuple[ReportRow, ...], hidden: int, tz: str = "UTC") -> list[Block]:
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text="Your team")]
    lines = [_report_line(row, tz) for row in rows]
    if hidden:
        lines.append(f"…and {hidden:,} more. `/ladder team` lists everyone.")
    blocks += lines_to_blocks(lines, 4, "")
    blocks += promote_actions((row.display_name or row.slack_user_id, row.readiness) for row in rows if row.readiness)
    blocks.append(ActionsBlock(elements=[_button("Schedule 1:1s", OneOnOneAction.OPEN)]))
    blocks.append(context("Only reports who agreed to share appear here; coverage is of their next milestone."))
    return blocks
