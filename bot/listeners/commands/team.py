"""`/ladder team`, `/ladder team add @person`, `/ladder team remove @person`: manager links and consent."""

from __future__ import annotations

from bot.blocks.consent import team_blocks
from bot.delivery.consent import send_consent_request
from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.listeners.commands.targets import MENTION_HINT, parse_user, say
from bot.listeners.evidence_ui import refresh_home
from bot.services import consent
from bot.services.access import NOT_AVAILABLE
from bot.services.directory import ensure_person
from bot.slack_directory import SlackDirectory
from storage.models import ManagerLinkStatus

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
    with ctx.deps.uow() as uow:
        workspace = uow.workspaces.get_by_team(ctx.team_id)
        me = uow.people.get_by_slack_id(workspace.id, ctx.user_id) if workspace else None
        if me is None:
            blocks = team_blocks(manager_slack_id=None, pending=[], reports=[])
        else:
            view = consent.team_view(uow, me)
            blocks = team_blocks(
                manager_slack_id=view.manager.manager.slack_user_id if view.manager else None,
                pending=[(link.id, link.manager.slack_user_id) for link in view.pending_managers],
                reports=[(link.person.slack_user_id, link.status is ManagerLinkStatus.ACTIVE) for link in view.reports],
            )
    ctx.reply(blocks, "Your manager and your reports")


def _add(ctx: LadderContext, target: str) -> None:
    if target == ctx.user_id:
        say(ctx, "You can't be your own manager.")
        return
    now = ctx.deps.now()
    directory = SlackDirectory(ctx.client)
    me_id = ensure_person(directory, ctx.deps.uow, ctx.team_id, ctx.user_id, now)
    report_id = ensure_person(directory, ctx.deps.uow, ctx.team_id, target, now)
    if me_id is None or report_id is None:
        say(ctx, NOT_AVAILABLE)
        return
    with ctx.deps.uow() as uow:
        me, report = uow.people.get(me_id), uow.people.get(report_id)
        assert me is not None and report is not None
        change = consent.change_manager(uow, report=report, manager=me, requested_by=me, now=now)
        if change.already_current:
            say(ctx, f"<@{target}> already has you as their manager.")
            return
        assert change.link is not None
        link_id = change.link.id
    send_consent_request(ctx.deps, link_id, now)
    say(
        ctx,
        f"I asked <@{target}> to confirm you as their manager. Nothing of theirs is shared with you until they accept.",
    )


def _remove(ctx: LadderContext, target: str) -> None:
    now = ctx.deps.now()
    with ctx.deps.uow() as uow:
        workspace = uow.workspaces.get_by_team(ctx.team_id)
        me = uow.people.get_by_slack_id(workspace.id, ctx.user_id) if workspace else None
        other = uow.people.get_by_slack_id(workspace.id, target) if workspace else None
        ended = consent.remove_link(uow, actor=me, other=other, now=now) if me and other else []
    if not ended:
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
