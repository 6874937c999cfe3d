"""`/ladder log TEXT` records evidence now, auto-tagged to the best-matching next-milestone behaviour;
`/ladder log` with no text opens the evidence modal.

The command's trigger_id names the invocation, so a re-delivered command never stores twice.
"""

from __future__ import annotations

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from bot.blocks.prompt import evidence_saved_blocks, evidence_saved_text, too_long_blocks
from bot.delivery.confirmations import shown_or_left_to_sweep
from bot.delivery.home import refresh_home
from bot.errors import UserFacingError
from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.listeners.evidence_ui import new_token, open_evidence_modal
from bot.services.capturing import log_text
from bot.services.evidence import EmptyEvidence
from storage.models import FieldTooLong

WRITE_AFTER = f"Write what you did after the command: `{LADDER_COMMAND} log shipped the new API`."
BLANK = f":warning: Nothing was saved: that evidence is empty. {WRITE_AFTER}"


def log_evidence(ctx: LadderContext) -> None:
    deps = ctx.deps
    if not ctx.args.strip():
        if not ctx.trigger_id:
            raise UserFacingError(WRITE_AFTER)
        open_evidence_modal(ctx.client, deps, ctx.actor, trigger_id=ctx.trigger_id)
        return
    try:
        logged = log_text(
            deps.uow, deps.library, ctx.actor, text=ctx.args, trigger_id=ctx.trigger_id or new_token(), now=deps.now()
        )
    except FieldTooLong as error:
        ctx.reply(too_long_blocks(str(error), ctx.args), str(error))
        return
    except EmptyEvidence:  # only invisible characters (a zero-width space pasted from somewhere)
        ctx.reply([SectionBlock(text=MarkdownTextObject(text=BLANK))], BLANK)
        return
    captured = logged.captured
    labels = [tag.label for tag in captured.tags]
    blocks = evidence_saved_blocks(captured.evidence_id, labels, suggestion=logged.suggestion)
    shown_or_left_to_sweep(deps, captured.evidence_id, lambda: ctx.reply(blocks, evidence_saved_text(labels)))
    if captured.created:
        refresh_home(ctx.client, deps, ctx.team_id, ctx.user_id)


SUBCOMMAND = Subcommand(
    "log",
    f"{LADDER_COMMAND} log [what you did]",
    "save evidence now, tagged to your best-matching next behaviour (no text: open the form)",
    log_evidence,
)
