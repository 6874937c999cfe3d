"""`/ladder admin` answers: the admin help and the people list (no evidence, no coverage)."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.blocks.common import context, mrkdwn_sections
from bot.services.admin import PeoplePage, PersonSummary, ScheduleSummary
from bot.services.slots import short_label
from bot.services.text import escape
from bot.services.timing import local_date

CANNOT_READ = (
    "You manage people and schedules; you can't read anyone's evidence (`GROWTHBOT_ADMINS_READ_EVIDENCE` is off)."
)
CAN_READ = (
    "You manage people and schedules. `GROWTHBOT_ADMINS_READ_EVIDENCE` is on, so `/ladder digest @person` and "
    "`/ladder export @person` also work for you; every such read is written to the audit log and to the "
    "person's access log, and the person gets a DM naming you and what you read (one per day)."
)


def admin_help_blocks(commands: Sequence[tuple[str, str]], *, can_read_evidence: bool) -> list[Block]:
    lines = [f"`{usage}` — {summary}" for usage, summary in commands]
    return [
        HeaderBlock(text="growthbot admin"),
        SectionBlock(text=MarkdownTextObject(text=CAN_READ if can_read_evidence else CANNOT_READ)),
        *mrkdwn_sections(lines),
        context("Every admin action is written to the audit log. Only you see this answer."),
    ]


def schedule_label(schedule: ScheduleSummary) -> str:
    """`Mon 10:00 weekly`."""
    return short_label(schedule)


def state_label(person: PersonSummary) -> str:
    if not person.active:
        reason = f" ({escape(person.inactive_reason)})" if person.inactive_reason else ""
        return f"inactive{reason}"
    if person.schedule is None:
        return "not set up"
    if person.schedule.paused:
        if person.schedule.paused_until is None:
            return "paused"
        return f"paused until {local_date(person.schedule.paused_until, person.tz).isoformat()}"
    return "active"


def person_line(person: PersonSummary) -> str:
    parts = [f"• *{escape(person.name)}* <@{person.slack_user_id}>"]
    if person.ladder:
        parts.append(escape(person.ladder) + (f", {escape(person.level)}" if person.level else ""))
    else:
        parts.append("no ladder")
    if person.manager_slack_id:
        parts.append(f"manager <@{person.manager_slack_id}>")
    if person.pending_manager_slack_id:
        parts.append(f"manager <@{person.pending_manager_slack_id}> awaiting their consent")
    if not person.manager_slack_id and not person.pending_manager_slack_id:
        parts.append("no manager")
    if person.schedule is not None:
        parts.append(f"prompts {schedule_label(person.schedule)} ({escape(person.tz)})")
    parts.append(f"*{state_label(person)}*")
    return " · ".join(parts)


def people_blocks(page: PeoplePage) -> list[Block]:
    if page.total == 0:
        return [SectionBlock(text=MarkdownTextObject(text="Nobody is in growthbot yet."))]
    noun = "person" if page.total == 1 else "people"
    blocks: list[Block] = [
        HeaderBlock(text="People in growthbot"),
        context(f"{page.total:,} {noun} · page {page.page} of {page.pages} · evidence is never shown here"),
        *mrkdwn_sections(person_line(p) for p in page.people),
    ]
    if page.page < page.pages:
        blocks.append(context(f"Next page: `/ladder admin people {page.page + 1}`"))
    return blocks
