"""`/ladder digest` (yourself) and `/ladder digest @person` (their manager only): progress on demand."""

from __future__ import annotations

from bot.blocks.digest import digest_messages
from bot.delivery.digests import post_messages
from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.listeners.commands.targets import optional_person, say, say_refused
from bot.services.evidence_reads import Refused, read_digest

# A response_url takes only a few posts: a longer digest goes to the requester's DM instead.
MAX_EPHEMERAL_PARTS = 3


def _digest(ctx: LadderContext) -> None:
    understood, subject = optional_person(ctx, "digest")
    if not understood:
        return
    read = read_digest(ctx.deps, ctx.actor, subject, ctx.deps.now())
    if isinstance(read, Refused):
        say_refused(ctx, read.someone_else)
        return
    messages = digest_messages(read.content, "self" if read.is_self else "manager")
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
