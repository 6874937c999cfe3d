"""`/ladder access`: who read your growthbot data (your access log), newest first, a page at a time.
Only your own: `/ladder access @someone` gets the neutral refusal, whoever that is."""

from __future__ import annotations

from bot.blocks.access_log import access_log_blocks
from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.listeners.commands.targets import NOT_SET_UP, optional_person, say
from bot.services import access
from bot.services.access_log import Refused, read_access_log


def _access(ctx: LadderContext) -> None:
    understood, subject = optional_person(ctx, "access")
    if not understood:
        return
    page = read_access_log(ctx.deps.uow, ctx.actor, subject_slack_id=subject, cursor=None, now=ctx.deps.now())
    if isinstance(page, Refused):
        say(ctx, access.NOT_AVAILABLE if subject not in (None, ctx.user_id) else NOT_SET_UP)
        return
    ctx.reply(access_log_blocks(page), "Who read your growthbot data")


SUBCOMMAND = Subcommand(
    "access",
    f"{LADDER_COMMAND} access",
    "who read your evidence, assessments, digest or packet, and when (only you see it)",
    _access,
    background=True,
)
