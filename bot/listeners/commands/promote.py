"""`/ladder promote @person [AREA] LEVEL`: the manager (or an admin) opens the promotion confirmation."""

from __future__ import annotations

from bot.blocks.promotion import promotion_modal
from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.listeners.commands.targets import MENTION_HINT, parse_user, say
from bot.services.promotion_requests import Refused, form_from_command

USAGE = f"`{LADDER_COMMAND} promote @person [AREA] LEVEL` (no area: every area below that level)"


def _promote(ctx: LadderContext) -> None:
    words = ctx.words
    person = parse_user(words[0]) if words else None
    if person is None or len(words) < 2:
        say(ctx, f"{MENTION_HINT}\nUsage: {USAGE}" if words else f"Usage: {USAGE}")
        return
    form = form_from_command(
        ctx.deps.uow,
        ctx.deps.library,
        ctx.deps.settings,
        ctx.actor,
        person_slack_id=person,
        words=words[1:],
        now=ctx.deps.now(),
    )
    if isinstance(form, Refused):
        say(ctx, form.message)
        return
    assert ctx.trigger_id is not None
    ctx.client.views_open(trigger_id=ctx.trigger_id, view=promotion_modal(form))


SUBCOMMAND = Subcommand(
    "promote",
    f"{LADDER_COMMAND} promote @person [AREA] LEVEL",
    "record a report's promotion, after a confirmation showing their readiness",
    _promote,
)
