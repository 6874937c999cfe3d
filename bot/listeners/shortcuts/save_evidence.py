"""Message shortcut "Save as growth evidence": any message the bot can see (a kudos someone wrote about
you counts) becomes the invoker's evidence, with its author and permalink, after a confirm-and-tag modal.

The modal carries the message text in private_metadata. A message too long for that is saved right
away (still once per person and message) and the modal that opens is the one for changing its tags.
A message longer than evidence can hold opens the "Add evidence" modal with its start filled in, to be
trimmed to the part that shows what the person did.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.common import unescape
from bot.blocks.evidence_modal import MODAL_TEXT_MAX, EvidenceModalMeta
from bot.deps import Deps
from bot.errors import UserFacingError
from bot.ids import Callback
from bot.listeners.evidence_ui import evidence_view, new_token, open_retag_modal, save_message_view
from bot.listeners.views.evidence import attach_permalink
from bot.services.actor import Actor
from bot.services.capturing import actor_ladder, save_message
from bot.services.confirmations import mark_confirmed
from bot.services.text import is_blank
from storage.models import MAX_EVIDENCE_TEXT

NOTHING_TO_SAVE = "That message has no text to save as evidence."
TOO_LONG_TO_SAVE = (
    f"That message is longer than the {MAX_EVIDENCE_TEXT:,} characters evidence can hold. Its start is "
    "below: keep the part that shows what you did, then save."
)


def save_as_evidence(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    ack()
    message = body.get("message") or {}
    channel_id = (body.get("channel") or {}).get("id")
    message_ts = message.get("ts") or body.get("message_ts")
    # Slack escapes &, < and > in message text; store what the author typed (shown escaped again).
    text = unescape(message.get("text") or "")
    # A user id only: a bot_id (B...) would show as a broken mention.
    author_id = message.get("user") or None
    if not channel_id or not message_ts:
        raise UserFacingError(NOTHING_TO_SAVE)
    if is_blank(text):
        raise UserFacingError(NOTHING_TO_SAVE)
    ladder = actor_ladder(deps.uow, deps.library, actor)
    if len(text) > MAX_EVIDENCE_TEXT:  # someone else's words, too long to keep whole: offer to trim them
        meta = EvidenceModalMeta(token=new_token(), framework_id=ladder.framework.id)
        view = evidence_view(
            ladder, meta, prompt_behaviour=None, text=text[:MODAL_TEXT_MAX], initial_text=text, note=TOO_LONG_TO_SAVE
        )
        client.views_open(trigger_id=body["trigger_id"], view=view)
        return
    meta = EvidenceModalMeta(
        token=new_token(),
        framework_id=ladder.framework.id,
        channel_id=channel_id,
        message_ts=message_ts,
        author_id=author_id,
        text=text,
    )
    if meta.fits():
        client.views_open(trigger_id=body["trigger_id"], view=save_message_view(ladder, meta, text, author_id))
        return
    # Too long to carry in the modal: saved now, and the modal that opens changes its tags.
    saved = save_message(
        deps.uow,
        deps.library,
        actor,
        text=text,
        channel_id=channel_id,
        message_ts=message_ts,
        author_id=author_id,
        now=deps.now(),
    )
    evidence_id = saved.captured.evidence_id
    open_retag_modal(client, deps, actor, trigger_id=body["trigger_id"], evidence_id=evidence_id)
    # The retag modal shows it was saved: the tick's catch-up must not confirm it a second time.
    mark_confirmed(deps, evidence_id, deps.now())
    attach_permalink(client, deps, evidence_id, channel_id, message_ts)


def register(app: App, deps: Deps) -> None:
    app.shortcut(Callback.SAVE_AS_EVIDENCE)(save_as_evidence)
