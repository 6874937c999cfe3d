"""Buttons on the engineer's digest preview: flag an item to discuss, unflag it, add a last-minute note.

Every value in a button came back from Slack; bot.services.digest_preview re-checks that the clicking
user owns the evidence item, or is the report of the digest, before doing anything.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks.digest import flagged_note, note_button_value, note_modal, with_item_state
from bot.deps import Deps
from bot.ids import DigestAction
from bot.services import access
from bot.services.actor import Actor
from bot.services.digest_preview import flag_item, report_preview


def flag_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    deps: Deps,
    actor: Actor,
) -> None:
    ack()
    message = body.get("message") or {}
    flagged = flag_item(
        deps.uow,
        actor,
        evidence_id=_evidence_id(action.get("value")),
        digest_id=note_button_value(message.get("blocks") or []),
        flag=action["action_id"] == DigestAction.FLAG,
        now=deps.now(),
    )
    if flagged is None:
        respond(text=access.NOT_AVAILABLE, response_type="ephemeral", replace_original=False)
        return
    told = flagged.told_manager
    if told is not None:
        text = flagged_note(told.report_name, told.item, told.target.manager_tz)
        client.chat_postMessage(channel=told.target.channel_id, thread_ts=told.target.thread_ts, text=text)
    if message.get("blocks"):
        blocks = with_item_state(message["blocks"], flagged.evidence_id, flagged.state)
        respond(text=message.get("text") or "Digest preview", blocks=blocks, replace_original=True)


def note_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    deps: Deps,
    actor: Actor,
) -> None:
    ack()
    preview = report_preview(deps.uow, actor, action.get("value"))
    if preview is None:
        respond(text=access.NOT_AVAILABLE, response_type="ephemeral", replace_original=False)
        return
    view = note_modal(preview.target.digest_id, preview.target.manager_name)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def _evidence_id(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def register(app: App, deps: Deps) -> None:
    app.action(DigestAction.FLAG)(flag_clicked)
    app.action(DigestAction.UNFLAG)(flag_clicked)
    app.action(DigestAction.ADD_NOTE)(note_clicked)
