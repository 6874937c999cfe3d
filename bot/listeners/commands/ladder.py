"""`/ladder`: acknowledge, split the text into a subcommand and its arguments, route through `SUBCOMMANDS`.

To add a subcommand, write a module exposing `SUBCOMMAND = Subcommand(...)` and add one line below.
"""

from __future__ import annotations

import difflib
import time
from typing import Any

from slack_bolt import Ack, App, BoltRequest
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks.common import unescape
from bot.blocks.help import help_blocks, help_text, unknown_subcommand_blocks
from bot.deps import Deps
from bot.errors import handle_error, with_written_back
from bot.followups import QueueFull
from bot.ids import LADDER_COMMAND
from bot.listeners.commands import (
    access_log,
    admin,
    checkin,
    digest,
    export,
    focus,
    forget,
    log,
    lookup,
    one_on_one,
    promote,
    prompts,
    setup,
    team,
)
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.services import access
from bot.services.actor import Actor


def _help(ctx: LadderContext) -> None:
    lines = command_lines(include_admin=_is_admin(ctx))
    ctx.reply(help_blocks(lines), help_text(lines))


def _is_admin(ctx: LadderContext) -> bool:
    return access.can_manage(ctx.user_id, ctx.deps.settings)


BUSY = ":hourglass_flowing_sand: growthbot is busy right now and could not answer that; try again in a moment."

HELP = Subcommand("help", f"{LADDER_COMMAND} help", "what growthbot does and every command", _help, background=True)

SUBCOMMANDS: dict[str, Subcommand] = {
    "help": HELP,
    "me": lookup.ME,
    "next": lookup.NEXT,
    "show": lookup.SHOW,
    "search": lookup.SEARCH,
    "setup": setup.SUBCOMMAND,
    "log": log.SUBCOMMAND,
    "focus": focus.SUBCOMMAND,
    "pause": prompts.PAUSE,
    "resume": prompts.RESUME,
    "skip": prompts.SKIP,
    "team": team.SUBCOMMAND,
    "promote": promote.SUBCOMMAND,
    "1on1": one_on_one.SUBCOMMAND,
    "digest": digest.SUBCOMMAND,
    "checkin": checkin.SUBCOMMAND,
    "export": export.SUBCOMMAND,
    "access": access_log.SUBCOMMAND,
    "forget": forget.SUBCOMMAND,
    "admin": admin.SUBCOMMAND,
}


def command_lines(*, include_admin: bool = False) -> list[tuple[str, str]]:
    return [(sub.usage, sub.summary) for sub in SUBCOMMANDS.values() if include_admin or not sub.admin_only]


def _aliases(*, include_admin: bool = True) -> dict[str, Subcommand]:
    found = {alias: sub for sub in SUBCOMMANDS.values() for alias in sub.aliases}
    found.update(SUBCOMMANDS)
    return {name: sub for name, sub in found.items() if include_admin or not sub.admin_only}


def parse(text: str) -> tuple[str, str]:
    """`"next  Delivery"` -> `("next", "Delivery")`; empty text means help."""
    parts = unescape(text or "").split(None, 1)
    if not parts:
        return "help", ""
    return parts[0].lower(), parts[1].strip() if len(parts) > 1 else ""


def suggest(name: str, *, include_admin: bool = False) -> str | None:
    known = _aliases(include_admin=include_admin)
    matches = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return known[matches[0]].name if matches else None


def ladder(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    request: BoltRequest,
    deps: Deps,
    actor: Actor,
) -> None:
    ack()
    name, args = parse(command.get("text", ""))
    ctx = LadderContext(
        deps=deps,
        actor=actor,
        client=client,
        respond=respond,
        team_id=command["team_id"],
        user_id=command["user_id"],
        channel_id=command.get("channel_id"),
        trigger_id=command.get("trigger_id"),
        name=name,
        args=args,
    )
    subcommand = _aliases().get(name) or Subcommand(name, "", "", _unknown, background=True)
    if subcommand.background:
        try:
            deps.followups.submit(_run_after_ack, subcommand, ctx, request, time.monotonic())
        except QueueFull:
            _tell_busy(respond, command)
    else:
        subcommand.handler(ctx)


def register(app: App, deps: Deps) -> None:
    app.command(LADDER_COMMAND)(ladder)


def _unknown(ctx: LadderContext) -> None:
    is_admin = _is_admin(ctx)
    lines = command_lines(include_admin=is_admin)
    blocks = unknown_subcommand_blocks(ctx.name, suggest(ctx.name, include_admin=is_admin), lines)
    ctx.reply(blocks, help_text(lines))


def _tell_busy(respond: Respond, command: dict[str, Any]) -> None:
    # Told now rather than answered after they gave up; what they typed is quoted back, escaped.
    respond(text=with_written_back(BUSY, command), response_type="ephemeral", replace_original=False)


def _run_after_ack(subcommand: Subcommand, ctx: LadderContext, request: BoltRequest, queued_at: float) -> None:
    """A background subcommand, with its failures sent down the app's one error path. One that waited
    in the queue past GROWTHBOT_ANSWER_WAIT_SECONDS is not computed: the person is told to retry, and
    the CPU goes to the answers still within their budget (a queue that fills faster than it drains
    then sheds work instead of making everyone wait)."""
    if time.monotonic() - queued_at > ctx.deps.settings.answer_wait_seconds:
        _tell_busy(ctx.respond, request.body)
        return
    try:
        subcommand.handler(ctx)
    except Exception as error:  # reported exactly as Bolt would for a listener
        handle_error(error, request.body, request, None, ctx.respond, ctx.client)
