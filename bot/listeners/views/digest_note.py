"""The last-minute note modal was submitted: post it in the thread of the manager's digest."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.digest import last_minute_note, parse_note
from bot.deps import Deps
from bot.ids import Callback, DigestBlock
from bot.services import access
from bot.services.actor import Actor
from bot.services.digest_preview import report_preview


def note_submitted(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    digest_id, note = parse_note(body["view"])
    if not note:
        ack(response_action="errors", errors={DigestBlock.NOTE: "Write a note, or press Cancel."})
        return
    preview = report_preview(deps.uow, actor, digest_id)
    if preview is None:
        ack(response_action="errors", errors={DigestBlock.NOTE: access.NOT_AVAILABLE})
        return
    ack()
    target = preview.target
    client.chat_postMessage(
        channel=target.channel_id, thread_ts=target.thread_ts, text=last_minute_note(preview.report_name, note)
    )
    client.chat_postMessage(
        channel=actor.slack_user_id, text=f"I added your note to <@{target.manager_slack_id}>'s digest."
    )


def register(app: App, deps: Deps) -> None:
    app.view(Callback.DIGEST_NOTE)(note_submitted)
