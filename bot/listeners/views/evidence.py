"""Evidence modal submissions: add evidence, confirm a saved message (shortcut), change tags.

Each validates first (inline errors go back in the ack), stores within Slack's 3 seconds, acknowledges,
then updates what the person sees: the prompt DM (chat.update), a confirmation, App Home. A submit
Slack delivers twice (a double click, a retry) finds its row already stored and changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.blocks.evidence_modal import EvidenceModalMeta, parse_behaviour_ids, parse_evidence_submission
from bot.blocks.prompt import evidence_saved_blocks, evidence_saved_text
from bot.delivery.confirmations import confirm_by_dm
from bot.delivery.prompt_redraw import redraw_prompt
from bot.deps import Deps
from bot.errors import UserFacingError
from bot.ids import Callback, EvidenceBlock
from bot.listeners.evidence_ui import NOT_YOURS, mark_confirmed, refresh_home
from bot.services.access import owned_evidence
from bot.services.evidence import (
    Captured,
    capture,
    ladder_of_user,
    modal_key,
    owned_prompt,
    retag,
    saved_message_key,
)
from storage.models import EvidenceSource, FieldTooLong

log = logging.getLogger(__name__)

EMPTY_TEXT = "Write a sentence or two about what happened."
STALE_FORM = "This form is out of date. Close it and open it again."
FIELD_BLOCKS = {"text": EvidenceBlock.TEXT, "link": EvidenceBlock.LINK}


def _who(body: dict[str, Any]) -> tuple[str, str]:
    return body["team"]["id"], body["user"]["id"]


def _meta(view: dict[str, Any]) -> EvidenceModalMeta | None:
    try:
        return EvidenceModalMeta.load(view.get("private_metadata"))
    except ValueError:
        return None


def _tag_ids(captured: Captured) -> set[str]:
    return {tag.behaviour_id for tag in captured.tags}


def _confirm_by_dm(client: WebClient, user_id: str, captured: Captured) -> None:
    confirm_by_dm(client, user_id, captured.evidence_id, [tag.label for tag in captured.tags])


def register(app: App, deps: Deps) -> None:
    @app.view(Callback.EVIDENCE)
    def evidence_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = _who(body)
        entered = parse_evidence_submission(view["state"]["values"])
        if not entered.text.strip():
            ack(response_action="errors", errors={EvidenceBlock.TEXT: EMPTY_TEXT})
            return
        meta = _meta(view)
        if meta is None:
            ack(response_action="errors", errors={EvidenceBlock.TEXT: STALE_FORM})
            return
        try:
            with deps.uow() as uow:
                ladder = ladder_of_user(uow, deps.library, team_id, user_id)
                owned = owned_prompt(uow, team_id, user_id, meta.prompt_id)
                captured = capture(
                    uow,
                    ladder,
                    text=entered.text,
                    source=EvidenceSource.MODAL,
                    source_key=modal_key(meta.token),
                    now=deps.now(),
                    link=entered.link,
                    behaviour_ids=entered.behaviour_ids,
                    auto_tag=True,
                    prompt=owned[1] if owned else None,
                )
        except FieldTooLong as error:
            ack(response_action="errors", errors={FIELD_BLOCKS.get(error.field, EvidenceBlock.TEXT): str(error)})
            return
        except UserFacingError as error:
            ack(response_action="errors", errors={EvidenceBlock.TEXT: str(error)})
            return
        ack()
        if not captured.created:
            return
        # The prompt DM redrawn as answered is the confirmation; without it (or if it can't be), a DM.
        if owned is None or not redraw_prompt(client, deps, owned[1].id):
            _confirm_by_dm(client, user_id, captured)
        mark_confirmed(deps, captured.evidence_id)
        refresh_home(client, deps, team_id, user_id)

    @app.view(Callback.SAVE_AS_EVIDENCE_CONFIRM)
    def saved_message_confirmed(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = _who(body)
        meta = _meta(view)
        if meta is None or not meta.channel_id or not meta.message_ts or meta.text is None:
            ack(response_action="errors", errors={EvidenceBlock.BEHAVIOURS: STALE_FORM})
            return
        try:
            with deps.uow() as uow:
                ladder = ladder_of_user(uow, deps.library, team_id, user_id)
                picks = parse_behaviour_ids(view["state"]["values"])
                captured = capture(
                    uow,
                    ladder,
                    text=meta.text,
                    source=EvidenceSource.SHORTCUT,
                    source_key=saved_message_key(team_id, meta.channel_id, meta.message_ts, user_id),
                    now=deps.now(),
                    behaviour_ids=picks,
                    auto_tag=True,
                    author_slack_id=meta.author_id,
                )
                saved = uow.evidence.get(captured.evidence_id)
                retagged = False
                if not captured.created and picks and saved is not None and set(picks) != _tag_ids(captured):
                    # The same message saved again with other behaviours: keep one row, with the new tags.
                    captured, retagged = retag(uow, ladder, saved, picks, deps.now()), True
        except (FieldTooLong, UserFacingError) as error:
            ack(response_action="errors", errors={EvidenceBlock.BEHAVIOURS: str(error)})
            return
        ack()
        if retagged:
            _confirm_by_dm(client, user_id, captured)
            return
        if not captured.created:
            return  # a double click, or saved again with the same tags
        attach_permalink(client, deps, captured.evidence_id, meta.channel_id, meta.message_ts)
        _confirm_by_dm(client, user_id, captured)
        mark_confirmed(deps, captured.evidence_id)
        refresh_home(client, deps, team_id, user_id)

    @app.view(Callback.RETAG)
    def retagged(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = _who(body)
        meta = _meta(view)
        behaviour_ids = parse_behaviour_ids(view["state"]["values"])
        if not behaviour_ids:
            ack(response_action="errors", errors={EvidenceBlock.BEHAVIOURS: "Pick at least one behaviour."})
            return
        if meta is None or meta.evidence_id is None:
            ack(response_action="errors", errors={EvidenceBlock.BEHAVIOURS: STALE_FORM})
            return
        try:
            with deps.uow() as uow:
                ladder = ladder_of_user(uow, deps.library, team_id, user_id)
                evidence = owned_evidence(uow, team_id=team_id, viewer_slack_id=user_id, evidence_id=meta.evidence_id)
                if evidence is None:
                    raise UserFacingError(NOT_YOURS)
                captured = retag(uow, ladder, evidence, behaviour_ids, deps.now())
                latest = uow.prompts.latest_sent_for(ladder.person.id)
                own_dm = latest.channel_id if latest is not None else None
        except UserFacingError as error:
            ack(response_action="errors", errors={EvidenceBlock.BEHAVIOURS: str(error)})
            return
        ack()
        labels = [tag.label for tag in captured.tags]
        blocks = [b.to_dict() for b in evidence_saved_blocks(captured.evidence_id, labels)]
        text = evidence_saved_text(labels)
        if meta.response_url:
            WebhookClient(meta.response_url).send(text=text, blocks=blocks, replace_original=True)
        elif meta.channel_id and meta.message_ts and meta.channel_id == own_dm:
            client.chat_update(channel=meta.channel_id, ts=meta.message_ts, text=text, blocks=blocks)
        else:
            client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
        mark_confirmed(deps, captured.evidence_id)  # e.g. a long saved message, stored before its tags
        refresh_home(client, deps, team_id, user_id)


def attach_permalink(client: WebClient, deps: Deps, evidence_id: int, channel_id: str, message_ts: str) -> None:
    """Store the saved message's permalink; evidence without it is still evidence."""
    try:
        permalink = client.chat_getPermalink(channel=channel_id, message_ts=message_ts)["permalink"]
    except SlackApiError as error:
        log.warning("no permalink for %s/%s: %s", channel_id, message_ts, error.response.get("error"))
        return
    with deps.uow() as uow:
        evidence = uow.evidence.get(evidence_id)
        if evidence is not None and evidence.link is None:
            try:
                uow.evidence.set_link(evidence, permalink)
            except FieldTooLong:
                log.warning("permalink too long to store for evidence %s", evidence_id)
