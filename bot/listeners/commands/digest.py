"""`/ladder digest` (yourself) and `/ladder digest @person` (their manager only): progress on demand."""

from __future__ import annotations

from bot.blocks.digest import digest_messages
from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.listeners.commands.targets import MENTION_HINT, parse_user, say
from bot.services import access
from bot.services.digesting import on_demand_digest, post_messages

# A response_url takes only a few posts: a longer digest goes to the requester's DM instead.
MAX_EPHEMERAL_PARTS = 3


def _digest(ctx: LadderContext) -> None:
    subject = None
    if ctx.words:
        subject = parse_user(ctx.words[0]) if len(ctx.words) == 1 else None
        if subject is None:
            say(ctx, f"{MENTION_HINT}\nUsage: `{LADDER_COMMAND} digest [@person]`")
            return
    now = ctx.deps.now()
    with ctx.deps.uow() as uow:
        grant = access.open_evidence(
            uow,
            ctx.deps.settings,
            team_id=ctx.team_id,
            viewer_slack_id=ctx.user_id,
            subject_slack_id=subject,
            action=access.VIEWED_DIGEST,
            now=now,
            details={"on_demand": True},
        )
        if grant is None:
            say(ctx, access.NOT_AVAILABLE if subject else "You're not set up yet: run `/ladder setup` first.")
            return
        content = on_demand_digest(uow, ctx.deps, grant, now)
        messages = digest_messages(content, "self" if grant.is_self else "manager")
    if len(messages) <= MAX_EPHEMERAL_PARTS:
        for message in messages:
            ctx.respond(text=message.text, blocks=message.to_dicts(), response_type="ephemeral", replace_original=False)
        return
    post_messages(ctx.deps, ctx.user_id, messages)
    say(ctx, f"That digest is long ({len(messages)} messages), so I sent it to your DM with me.")


SUBCOMMAND = Subcommand(
    "digest",
    f"{LADDER_COMMAND} digest [@person]",
    "progress since the last 1:1 (or 4 weeks): yours, or a report's if you are their manager",
    _digest,
)
