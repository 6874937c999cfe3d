"""Message shortcut "Save as growth evidence": any message the bot can see (a kudos someone wrote about
you counts) becomes the invoker's evidence, with its author and permalink, after a confirm-and-tag modal.

The modal carries the message text in private_metadata. A message too long for that is saved right
away (still once per person and message) and the modal that opens is the one for changing its tags.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.common import unescape
from bot.blocks.evidence_modal import EvidenceModalMeta
from bot.deps import Deps
from bot.errors import UserFacingError
from bot.ids import LADDER_COMMAND, Callback
from bot.listeners.evidence_ui import mark_confirmed, new_token, open_retag_modal, save_message_view
from bot.listeners.views.evidence import attach_permalink
from bot.services.evidence import capture, ladder_of_user, saved_message_key
from storage.models import MAX_EVIDENCE_TEXT, EvidenceSource

NOTHING_TO_SAVE = "That message has no text to save as evidence."
TOO_LONG_TO_SAVE = (
    f"That message is longer than the {MAX_EVIDENCE_TEXT:,} characters evidence can hold. Save the part "
    f"that shows what you did with `{LADDER_COMMAND} log …`."
)


def register(app: App, deps: Deps) -> None:
    @app.shortcut(Callback.SAVE_AS_EVIDENCE)
    def save_as_evidence(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        message = body.get("message") or {}
        channel_id = (body.get("channel") or {}).get("id")
        message_ts = message.get("ts") or body.get("message_ts")
        # Slack escapes &, < and > in message text; store what the author typed (shown escaped again).
        text = unescape(message.get("text") or "")
        # A user id only: a bot_id (B...) would show as a broken mention.
        author_id = message.get("user") or None
        if not channel_id or not message_ts:
            raise UserFacingError(NOTHING_TO_SAVE)
        if not text.strip():
            raise UserFacingError(NOTHING_TO_SAVE)
        if len(text) > MAX_EVIDENCE_TEXT:  # someone else's words: they can't be shortened here
            raise UserFacingError(TOO_LONG_TO_SAVE)
        with deps.uow() as uow:
            ladder = ladder_of_user(uow, deps.library, team_id, user_id)
            meta = EvidenceModalMeta(
                token=new_token(),
                framework_id=ladder.framework.id,
                channel_id=channel_id,
                message_ts=message_ts,
                author_id=author_id,
                text=text,
            )
            if meta.fits():
                view = save_message_view(ladder, meta, text, author_id)
            else:
                view = None
                captured = capture(
                    uow,
                    ladder,
                    text=text,
                    source=EvidenceSource.SHORTCUT,
                    source_key=saved_message_key(team_id, channel_id, message_ts, user_id),
                    now=deps.now(),
                    auto_tag=True,
                    author_slack_id=author_id,
                )
        if view is not None:
            client.views_open(trigger_id=body["trigger_id"], view=view)
            return
        open_retag_modal(
            client,
            deps,
            team_id=team_id,
            user_id=user_id,
            trigger_id=body["trigger_id"],
            evidence_id=captured.evidence_id,
        )
        # The retag modal shows it was saved: the tick's catch-up must not confirm it a second time.
        mark_confirmed(deps, captured.evidence_id)
        attach_permalink(client, deps, captured.evidence_id, channel_id, message_ts)
