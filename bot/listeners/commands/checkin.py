"""`/ladder checkin [current]` (your own) and `/ladder checkin @person [current]` (their current manager
only): start a blind self and manager check-in on the next milestone, or resume the open one."""

from __future__ import annotations

from bot.blocks.checkin import started_blocks, started_text
from bot.delivery.checkins import send_invites
from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.listeners.commands.targets import MENTION_HINT, NOT_SET_UP, parse_user, say
from bot.services.access import NOT_AVAILABLE
from bot.services.checkin_requests import NothingToRate, NotSetUp, Refused, start_checkin

USAGE = f"`{LADDER_COMMAND} checkin [current]` · `{LADDER_COMMAND} checkin @person [current]`"
CURRENT_WORDS = ("current", "--current", "+current")


def _checkin(ctx: LadderContext) -> None:
    words = ctx.words
    include_current = any(word.lower() in CURRENT_WORDS for word in words)
    rest = [word for word in words if word.lower() not in CURRENT_WORDS]
    subject = parse_user(rest[0]) if len(rest) == 1 else None
    if len(rest) > 1 or (rest and subject is None):
        say(ctx, f"{MENTION_HINT}\nUsage: {USAGE}")
        return
    outcome = start_checkin(
        ctx.deps.uow,
        ctx.deps.library,
        ctx.actor,
        subject_slack_id=subject,
        include_current=include_current,
        now=ctx.deps.now(),
    )
    if isinstance(outcome, Refused):
        say(ctx, NOT_AVAILABLE)
        return
    if isinstance(outcome, NotSetUp):
        say(ctx, NOT_SET_UP)
        return
    if isinstance(outcome, NothingToRate):
        say(ctx, "There is nothing to rate: your next milestone lists no behaviours.")
        return
    ctx.reply(started_blocks(outcome), started_text(outcome))
    if outcome.created:
        send_invites(ctx.deps, outcome)


SUBCOMMAND = Subcommand(
    "checkin",
    f"{LADDER_COMMAND} checkin [@person] [current]",
    "rate the behaviours of the next milestone, blind, with your manager (or a report)",
    _checkin,
    aliases=("check-in",),
    background=True,
)
