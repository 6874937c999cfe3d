"""`/ladder forget`: open the confirmation modal (the deletion happens in bot.listeners.views.forget)."""

from __future__ import annotations

from bot.blocks.forget import forget_modal
from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext, Subcommand


def _forget(ctx: LadderContext) -> None:
    # The trigger_id is single use and expires after about 3 seconds: open the modal first.
    ctx.client.views_open(trigger_id=ctx.trigger_id, view=forget_modal())


SUBCOMMAND = Subcommand(
    "forget",
    f"{LADDER_COMMAND} forget",
    "delete everything growthbot holds about you (asks to confirm first)",
    _forget,
)
