"""`/ladder focus [behaviour...]`, `/ladder focus clear`: the person's focus behaviours (rules in
bot.services.focus, use cases in bot.services.focus_requests)."""

from __future__ import annotations

from bot.blocks.focus import focus_blocks, focus_text, refused_blocks
from bot.delivery.home import refresh_home
from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.services.focus_requests import FocusRefused, add_focus_text, clear_focus, show_focus


def focus(ctx: LadderContext) -> None:
    deps, wanted = ctx.deps, ctx.args.strip()
    if not wanted:
        shown = show_focus(deps.uow, deps.library, ctx.actor)
    elif wanted.lower() in ("clear", "none", "reset"):
        shown = clear_focus(deps.uow, deps.library, ctx.actor)
    else:
        outcome = add_focus_text(deps.uow, deps.library, ctx.actor, wanted, deps.now())
        if isinstance(outcome, FocusRefused):
            ctx.reply(refused_blocks(outcome.message), outcome.message)
            return
        shown = outcome
    ctx.reply(focus_blocks(shown), focus_text(shown))
    if shown.added or shown.cleared:
        refresh_home(ctx.client, deps, ctx.team_id, ctx.user_id)


SUBCOMMAND = Subcommand(
    "focus",
    f"{LADDER_COMMAND} focus [behaviour…|clear]",
    "pick up to 3 behaviours of your next milestone to work on (prompts ask about them first)",
    focus,
    background=True,
)
