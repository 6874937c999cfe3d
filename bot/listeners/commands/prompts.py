"""`/ladder pause [until YYYY-MM-DD]`, `/ladder resume`, `/ladder skip`: control the weekly prompt."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from bot.blocks.when import day_label, when_label
from bot.delivery.home import refresh_home
from bot.delivery.prompt_redraw import redraw_prompt
from bot.errors import UserFacingError
from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.services.prompt_requests import ScheduleChange, pause_prompts, resume_prompts, skip_next_prompt


def parse_until(words: list[str]) -> date | None:
    """`[until] YYYY-MM-DD`, or nothing for indefinitely."""
    rest = [w for w in words if w.lower() not in ("until", "till", "to")]
    if not rest:
        return None
    try:
        return date.fromisoformat(rest[0])
    except ValueError:
        raise UserFacingError(
            f"I need a date like 2025-08-31: `{LADDER_COMMAND} pause until 2025-08-31`, "
            f"or `{LADDER_COMMAND} pause` to pause until you resume."
        ) from None


def _reply(ctx: LadderContext, text: str) -> None:
    ctx.reply([SectionBlock(text=MarkdownTextObject(text=text))], text)


def _pause(ctx: LadderContext) -> None:
    until = parse_until(ctx.words)
    change = pause_prompts(ctx.deps.uow, ctx.actor, ctx.deps.now(), until=until)
    state, tz = change.state, change.tz
    if not state.paused:
        text = f":arrow_forward: That date has passed, so prompts stay on. Next: {when_label(state.next_due_at, tz)}."
    elif state.paused_indefinitely:
        text = f":double_vertical_bar: Prompts paused until you resume them (`{LADDER_COMMAND} resume`)."
    else:
        text = f":double_vertical_bar: Prompts paused until {day_label(state.paused_until, tz)}."
    _reply(ctx, text)
    _follow(ctx, change)


def _resume(ctx: LadderContext) -> None:
    change = resume_prompts(ctx.deps.uow, ctx.actor, ctx.deps.now())
    _reply(ctx, f":arrow_forward: Prompts on. The next one comes {when_label(change.state.next_due_at, change.tz)}.")
    _follow(ctx, change)


def _follow(ctx: LadderContext, change: ScheduleChange) -> None:
    """The open prompt's DM buttons and the Home tab follow a pause or resume."""
    if change.open_prompt_id is not None:
        redraw_prompt(ctx.client, ctx.deps, change.open_prompt_id)
    refresh_home(ctx.client, ctx.deps, ctx.team_id, ctx.user_id)


def _skip(ctx: LadderContext) -> None:
    change = skip_next_prompt(ctx.deps.uow, ctx.actor, ctx.deps.now())
    if change.state.next_due_at is None:
        _reply(ctx, f"Prompts are paused; nothing to skip. `{LADDER_COMMAND} resume` turns them back on.")
        return
    _reply(ctx, f":fast_forward: Skipped. The next prompt comes {when_label(change.state.next_due_at, change.tz)}.")


PAUSE = Subcommand(
    "pause",
    f"{LADDER_COMMAND} pause [until YYYY-MM-DD]",
    "pause the weekly prompt, until a date or until you resume",
    _pause,
)
RESUME = Subcommand("resume", f"{LADDER_COMMAND} resume", "turn the weekly prompt back on", _resume)
SKIP = Subcommand("skip", f"{LADDER_COMMAND} skip", "skip the next weekly prompt (e.g. a week off)", _skip)
