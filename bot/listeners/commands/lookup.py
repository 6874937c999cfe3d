"""`/ladder me`, `next`, `show`, `search`: read-only answers, visible only to the caller."""

from __future__ import annotations

from bot.blocks.lookup import me_blocks, next_blocks, not_set_up_blocks, search_blocks, show_blocks
from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.services.lookup import filter_areas, my_standing, resolve_show, search_behaviours
from bot.services.readiness_reads import my_place


def _me(ctx: LadderContext) -> None:
    place = my_place(ctx.deps.uow, ctx.deps.library, ctx.team_id, ctx.user_id)
    if place is None:
        ctx.reply(not_set_up_blocks(), "You're not on a ladder yet: run /ladder setup")
        return
    readiness = place.readiness.areas if place.readiness else ()
    ctx.reply(me_blocks(place.standing, readiness), f"Your ladder: {place.standing.framework.name}")


def _next(ctx: LadderContext) -> None:
    standing = my_standing(ctx.deps.uow, ctx.deps.library, ctx.team_id, ctx.user_id)
    if standing is None:
        ctx.reply(not_set_up_blocks(), "You're not on a ladder yet: run /ladder setup")
        return
    ctx.reply(next_blocks(standing, filter_areas(standing, ctx.args)), "Your next milestone")


def _show(ctx: LadderContext) -> None:
    view = resolve_show(ctx.deps.library, ctx.words)
    ctx.reply(show_blocks(view), view.framework.name)


def _search(ctx: LadderContext) -> None:
    query, hits = search_behaviours(ctx.deps.library, ctx.args)
    ctx.reply(search_blocks(query, hits), f"{len(hits)} matching behaviours")


ME = Subcommand(
    "me",
    f"{LADDER_COMMAND} me",
    "your ladder, level per area and progress to your next milestone",
    _me,
    background=True,
)
NEXT = Subcommand(
    "next",
    f"{LADDER_COMMAND} next [area]",
    "the behaviours of your next milestone, by area",
    _next,
    background=True,
)
SHOW = Subcommand(
    "show",
    f"{LADDER_COMMAND} show FRAMEWORK [AREA] [LEVEL]",
    "any ladder, area or cell (ladders are public within the workspace)",
    _show,
    background=True,
)
SEARCH = Subcommand(
    "search",
    f"{LADDER_COMMAND} search WORDS",
    "behaviours matching some words, across every ladder",
    _search,
    aliases=("find",),
    background=True,
)
