"""The manager's "Doesn't show this" modal, and the engineer's reply to a dispute, were submitted."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.disputes import parse_dispute, parse_reply, reply_text
from bot.delivery.disputes import note_on_ephemeral_digest, redraw_verdict_line, tell_engineer
from bot.deps import Deps
from bot.ids import Callback, DisputeBlock
from bot.services import access
from bot.services.actor import Actor
from bot.services.disputes import CommentTooLong, NotAvailable, dispute, reply_target
from bot.services.text import escape

DISPUTED_LINE = ":warning: _You said this doesn't show it; {name} has been told._"


def dispute_submitted(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    meta, comment = parse_dispute(body["view"])
    if meta is None:
        ack(response_action="errors", errors={DisputeBlock.COMMENT: access.NOT_AVAILABLE})
        return
    outcome = dispute(
        deps,
        actor,
        person_id=meta.person_id,
        behaviour_id=meta.behaviour_id,
        evidence_ids=meta.evidence_ids,
        comment=comment,
    )
    if isinstance(outcome, CommentTooLong):
        ack(response_action="errors", errors={DisputeBlock.COMMENT: f"Keep it under {outcome.limit} characters."})
        return
    if isinstance(outcome, NotAvailable):
        ack(response_action="errors", errors={DisputeBlock.COMMENT: access.NOT_AVAILABLE})
        return
    ack()
    tell_engineer(client, outcome)
    line = DISPUTED_LINE.format(name=escape(outcome.person_name))
    if meta.channel_id and meta.message_ts and meta.block_id:
        redraw_verdict_line(
            client, channel_id=meta.channel_id, message_ts=meta.message_ts, block_id=meta.block_id, line=line
        )
    elif meta.response_url:
        note_on_ephemeral_digest(meta.response_url, line)


def reply_submitted(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    evidence_id, behaviour_id, reply = parse_reply(body["view"])
    if not reply:
        ack(response_action="errors", errors={DisputeBlock.REPLY_TEXT: "Write a reply, or press Cancel."})
        return
    target = reply_target(deps, actor, evidence_id, behaviour_id)
    if isinstance(target, NotAvailable):
        ack(response_action="errors", errors={DisputeBlock.REPLY_TEXT: access.NOT_AVAILABLE})
        return
    ack()
    text = reply_text(target.report_name, target.behaviour_text, target.evidence_text, reply)
    client.chat_postMessage(channel=target.manager_slack_id, text=text)


def register(app: App, deps: Deps) -> None:
    app.view(Callback.DISPUTE)(dispute_submitted)
    app.view(Callback.DISPUTE_REPLY)(reply_submitted)
