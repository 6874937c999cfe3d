"""`/ladder setup`: open the setup modal (the submission is handled in bot.listeners.views.onboarding)."""

from __future__ import annotations

from bot.errors import UserFacingError
from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.listeners.surfaces import open_setup_modal


def _setup(ctx: LadderContext) -> None:
    if not ctx.trigger_id:
        raise UserFacingError("Slack didn't send what's needed to open the setup form; open growthbot's Home tab.")
    open_setup_modal(ctx.client, ctx.deps, ctx.actor, ctx.trigger_id)


SUBCOMMAND = Subcommand(
    "setup",
    f"{LADDER_COMMAND} setup",
    "pick your ladder, level, weekly question time and manager",
    _setup,
    aliases=("onboard", "settings"),
)
