"""`/ladder team`, `/ladder team add @person`, `/ladder team remove @person`: manager links and consent."""

from __future__ import annotations

from bot.blocks.consent import team_blocks
from bot.blocks.promotion import promote_actions
from bot.blocks.readiness import report_summary
from bot.delivery.consent import send_consent_request
from bot.delivery.home import refresh_home
from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.listeners.commands.targets import MENTION_HINT, parse_user, say
from bot.services.access import NOT_AVAILABLE
from bot.services.team_requests import (
    AlreadyManager,
    OwnManager,
    Unreachable,
    ask_to_manage,
    end_link_with,
    team_of,
)
from bot.slack_directory import SlackDirectory

USAGE = f"`{LADDER_COMMAND} team` · `{LADDER_COMMAND} team add @person` · `{LADDER_COMMAND} team remove @person`"


def _team(ctx: LadderContext) -> None:
    words = ctx.words
    if not words:
        _show(ctx)
    elif words[0].lower() in ("add", "remove", "rm") and len(words) == 2:
        target = parse_user(words[1])
        if target is None:
            say(ctx, MENTION_HINT)
        elif words[0].lower() == "add":
            _add(ctx, target)
        else:
            _remove(ctx, target)
    else:
        say(ctx, f"Usage: {USAGE}")


def _show(ctx: LadderContext) -> None:
    team = team_of(ctx.deps.uow, ctx.deps.library, ctx.actor, ctx.deps.now())
    blocks = team_blocks(
        manager_slack_id=team.manager_slack_id,
        pending=team.pending,
        reports=team.reports,
        readiness={slack_id: report_summary(row) for slack_id, (_, row) in team.readiness.items()},
        focus=team.focus,
        last_evidence_at=team.last_evidence_at,
        tz=team.tz,
    )
    blocks += promote_actions(team.readiness.values())
    ctx.reply(blocks, "Your manager and your reports")


def _add(ctx: LadderContext, target: str) -> None:
    now = ctx.deps.now()
    asked = ask_to_manage(ctx.deps.uow, SlackDirectory(ctx.client), ctx.actor, report_slack_id=target, now=now)
    if isinstance(asked, OwnManager):
        say(ctx, "You can't be your own manager.")
        return
    if isinstance(asked, Unreachable):
        say(ctx, NOT_AVAILABLE)
        return
    if isinstance(asked, AlreadyManager):
        say(ctx, f"<@{target}> already has you as their manager.")
        return
    send_consent_request(ctx.deps, asked.link_id, now)
    say(
        ctx,
        f"I asked <@{target}> to confirm you as their manager. Nothing of theirs is shared with you until they accept.",
    )


def _remove(ctx: LadderContext, target: str) -> None:
    if not end_link_with(ctx.deps.uow, ctx.actor, other_slack_id=target, now=ctx.deps.now()):
        say(ctx, f"There is no manager link between you and <@{target}>.")
        return
    say(ctx, f"Done: the manager link between you and <@{target}> has ended, and so have your 1:1s together.")
    for user_id in (ctx.user_id, target):
        refresh_home(ctx.client, ctx.deps, ctx.team_id, user_id)


SUBCOMMAND = Subcommand(
    "team",
    f"{LADDER_COMMAND} team [add|remove @person]",
    "your manager and your reports; a new manager link waits for the report's consent",
    _team,
)
