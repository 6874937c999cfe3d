"""The last-minute note modal was submitted: post it in the thread of the manager's digest."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.digest import last_minute_note, parse_note
from bot.deps import Deps
from bot.ids import Callback, DigestBlock
from bot.services import access
from bot.services.digesting import preview_target
from bot.services.lookup import find_person


def register(app: App, deps: Deps) -> None:
    @app.view(Callback.DIGEST_NOTE)
    def note_submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        digest_id, note = parse_note(body["view"])
        if not note:
            ack(response_action="errors", errors={DigestBlock.NOTE: "Write a note, or press Cancel."})
            return
        user_id = body["user"]["id"]
        with deps.uow() as uow:
            report = find_person(uow, body["team"]["id"], user_id)
            target = preview_target(uow, digest_id, report) if report is not None else None
            name = (report.display_name or user_id) if report is not None else user_id
        if target is None:
            ack(response_action="errors", errors={DigestBlock.NOTE: access.NOT_AVAILABLE})
            return
        ack()
        client.chat_postMessage(
            channel=target.channel_id, thread_ts=target.thread_ts, text=last_minute_note(name, note)
        )
        client.chat_postMessage(channel=user_id, text=f"I added your note to <@{target.manager_slack_id}>'s digest.")
