"""`/ladder 1on1 @person WEEKDAY HH:MM [weekly|fortnightly]`, `/ladder 1on1 list`, `/ladder 1on1 remove @person`,
`/ladder 1on1 @person checkins every N weeks|off`.

Times are in the manager's own time zone; only someone's current (consented) manager can set their 1:1.
"""

from __future__ import annotations

from bot.blocks.digest import slack_date
from bot.blocks.one_on_one import lead_label
from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.listeners.commands.targets import MENTION_HINT, parse_user, say
from bot.services import slots
from bot.services.access import NOT_AVAILABLE
from bot.services.directory import refresh_manager_profile
from bot.services.one_on_one_requests import (
    NoOneOnOne,
    Refused,
    list_one_on_ones,
    remove_one_on_one,
    schedule_with_report,
    set_checkin_schedule,
)
from bot.services.one_on_ones import ScheduleError
from bot.slack_directory import SlackDirectory

USAGE = (
    f"`{LADDER_COMMAND} 1on1 @person WEEKDAY HH:MM [weekly|fortnightly]` · `{LADDER_COMMAND} 1on1 list` · "
    f"`{LADDER_COMMAND} 1on1 remove @person` · `{LADDER_COMMAND} 1on1 @person checkins every N weeks|off`"
)
CHECKIN_WORDS = ("checkins", "checkin", "check-ins", "check-in")
CHECKINS_USAGE = f"Usage: `{LADDER_COMMAND} 1on1 @person checkins every N weeks` or `... checkins off`"


def _one_on_one(ctx: LadderContext) -> None:
    words = ctx.words
    if not words or words[0].lower() in ("list", "ls"):
        _list(ctx)
        return
    if words[0].lower() in ("remove", "rm", "cancel"):
        target = parse_user(words[1]) if len(words) == 2 else None
        if target is None:
            say(ctx, f"{MENTION_HINT}\nUsage: {USAGE}")
            return
        _remove(ctx, target)
        return
    target = parse_user(words[0])
    if target is None:
        say(ctx, f"{MENTION_HINT}\nUsage: {USAGE}")
        return
    if len(words) > 1 and words[1].lower() in CHECKIN_WORDS:
        _checkins(ctx, target, words[2:])
        return
    try:
        slot = slots.parse_slot(words[1:])
    except slots.SlotError as error:
        say(ctx, f"{error}\nUsage: {USAGE}")
        return
    _schedule(ctx, target, slot)


def _schedule(ctx: LadderContext, target: str, slot: slots.Slot) -> None:
    now = ctx.deps.now()
    # Refresh the manager's time zone from Slack: the meeting is in their wall-clock time.
    refresh_manager_profile(SlackDirectory(ctx.client), ctx.deps.uow, ctx.team_id, ctx.user_id, now)
    outcome = schedule_with_report(
        ctx.deps.uow,
        ctx.actor,
        report_slack_id=target,
        slot=slot,
        now=now,
        lead_minutes=ctx.deps.settings.digest_lead_minutes,
    )
    if isinstance(outcome, Refused):
        say(ctx, NOT_AVAILABLE)
        return
    meeting = outcome.meeting
    say(
        ctx,
        f"1:1 with <@{target}>: {slots.recurring(meeting)} ({outcome.manager_tz} time). "
        f"Next one {slack_date(meeting.next_at, outcome.manager_tz)}; I'll DM you their digest "
        f"{lead_label(meeting.digest_lead_minutes)} before each one.",
    )


def parse_checkin_every(words: list[str]) -> tuple[bool, int | None]:
    """(understood, weeks) for "every N weeks", "every week" or "off" (weeks None)."""
    folded = [word.lower() for word in words]
    if folded == ["off"]:
        return True, None
    if folded in (["every", "week"], ["weekly"]):
        return True, 1
    if len(folded) == 3 and folded[0] == "every" and folded[1].isdigit() and folded[2] in ("weeks", "week"):
        return True, int(folded[1])
    return False, None


def _checkins(ctx: LadderContext, target: str, words: list[str]) -> None:
    understood, weeks = parse_checkin_every(words)
    if not understood:
        say(ctx, CHECKINS_USAGE)
        return
    try:
        outcome = set_checkin_schedule(
            ctx.deps.uow, ctx.actor, report_slack_id=target, every_weeks=weeks, now=ctx.deps.now()
        )
    except ScheduleError as error:
        say(ctx, str(error))
        return
    if isinstance(outcome, Refused):
        say(ctx, NOT_AVAILABLE)
    elif isinstance(outcome, NoOneOnOne):
        say(ctx, f"You have no 1:1 with <@{target}> yet. Set one up first: {USAGE}")
    elif outcome.every_weeks is None:
        say(ctx, f"Scheduled check-ins with <@{target}> are off.")
    else:
        every = "every week" if outcome.every_weeks == 1 else f"every {outcome.every_weeks} weeks"
        say(ctx, f"Check-ins with <@{target}>: {every}; the next one starts {slack_date(outcome.next_at, outcome.tz)}.")


def _list(ctx: LadderContext) -> None:
    lines = []
    for row in list_one_on_ones(ctx.deps.uow, ctx.actor):
        upcoming = f" · next {slack_date(row.meeting.next_at, row.tz)}" if row.meeting.next_at else ""
        lines.append(f"• <@{row.report_slack_id}>: {slots.recurring(row.meeting)}{upcoming}")
    if not lines:
        say(ctx, f"You have no 1:1s set up. Add one with `{LADDER_COMMAND} 1on1 @person Tuesday 14:30`.")
        return
    say(ctx, "*Your 1:1s* (your time zone)\n" + "\n".join(lines))


def _remove(ctx: LadderContext, target: str) -> None:
    removed = remove_one_on_one(ctx.deps.uow, ctx.actor, report_slack_id=target, now=ctx.deps.now())
    say(ctx, f"Your 1:1 with <@{target}> is removed." if removed else f"You have no 1:1 with <@{target}>.")


SUBCOMMAND = Subcommand(
    "1on1",
    f"{LADDER_COMMAND} 1on1 @person WEEKDAY HH:MM [weekly|fortnightly] | list | remove @person",
    "your 1:1s with your reports; a digest of their progress arrives before each one",
    _one_on_one,
    aliases=("1:1", "oneonone", "1-1"),
)
