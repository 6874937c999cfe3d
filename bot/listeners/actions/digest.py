"""Buttons on the engineer's digest preview: flag an item to discuss, unflag it, add a last-minute note.

Every value in a button came back from Slack, so each handler re-checks that the clicking user owns
the evidence item, or is the report of the digest, before doing anything.
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
from bot.services.digesting import preview_target
from bot.services.digests import item_of
from bot.services.lookup import find_person


def _evidence_id(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def register(app: App, deps: Deps) -> None:
    @app.action(DigestAction.FLAG)
    @app.action(DigestAction.UNFLAG)
    def flag_clicked(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        evidence_id = _evidence_id(action.get("value"))
        message = body.get("message") or {}
        flag = action["action_id"] == DigestAction.FLAG
        now = deps.now()
        thread_post = None
        with deps.uow() as uow:
            evidence = (
                access.owned_evidence(uow, team_id=team_id, viewer_slack_id=user_id, evidence_id=evidence_id)
                if evidence_id is not None
                else None
            )
            if evidence is None:
                respond(text=access.NOT_AVAILABLE, response_type="ephemeral", replace_original=False)
                return
            report = find_person(uow, team_id, user_id)
            assert report is not None
            target = preview_target(uow, note_button_value(message.get("blocks") or []), report) if flag else None
            if target is not None and target.meeting_at > now:
                # The digest is out and the 1:1 is still ahead: tell the manager now, in its thread.
                thread_post = (target, flagged_note(report.display_name or user_id, item_of(evidence)))
                state = "sent_to_manager"
                uow.evidence.set_to_discuss(evidence, False)
            else:
                state = "queued" if flag else "unflagged"
                uow.evidence.set_to_discuss(evidence, flag)
        if thread_post is not None:
            target, text = thread_post
            client.chat_postMessage(channel=target.channel_id, thread_ts=target.thread_ts, text=text)
        if message.get("blocks"):
            blocks = with_item_state(message["blocks"], evidence.id, state)  # type: ignore[arg-type]
            respond(text=message.get("text") or "Digest preview", blocks=blocks, replace_original=True)

    @app.action(DigestAction.ADD_NOTE)
    def note_clicked(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        with deps.uow() as uow:
            report = find_person(uow, body["team"]["id"], body["user"]["id"])
            target = preview_target(uow, action.get("value"), report) if report is not None else None
        if target is None:
            respond(text=access.NOT_AVAILABLE, response_type="ephemeral", replace_original=False)
            return
        client.views_open(trigger_id=body["trigger_id"], view=note_modal(target.digest_id, target.manager_name))
