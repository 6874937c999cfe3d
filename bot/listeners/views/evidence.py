"""Evidence modal submissions: add evidence, confirm a saved message (shortcut), change tags.

Each validates first (inline errors go back in the ack), stores within Slack's 3 seconds through one
bot.services.capturing call, acknowledges, then updates what the person sees: the prompt DM
(chat.update), a confirmation, App Home. A submit Slack delivers twice (a double click, a retry)
finds its row already stored and changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.evidence_modal import EvidenceModalMeta, parse_behaviour_ids, parse_evidence_submission
from bot.blocks.prompt import evidence_saved_blocks, evidence_saved_text
from bot.delivery.confirmations import confirm_by_dm, shown_or_left_to_sweep
from bot.delivery.home import refresh_home
from bot.delivery.prompt_redraw import redraw_prompt
from bot.deps import Deps
from bot.errors import UserFacingError
from bot.ids import Callback, EvidenceBlock
from bot.listeners.evidence_ui import NOT_YOURS
from bot.services.actor import Actor
from bot.services.capturing import Offer, add_from_modal, retag_evidence, save_message
from bot.services.confirmations import mark_confirmed
from bot.services.evidence import Captured, store_permalink
from bot.services.evidence_forms import NotYours
from bot.services.tag_suggestions import Suggestion
from bot.services.text import is_blank
from bot.slack_http import PooledWebhookClient
from storage.models import FieldTooLong

log = logging.getLogger(__name__)

EMPTY_TEXT = "Write a sentence or two about what happened."
STALE_FORM = "This form is out of date. Close it and open it again."
FIELD_BLOCKS = {"text": EvidenceBlock.TEXT, "link": EvidenceBlock.LINK}


def _meta(view: dict[str, Any]) -> EvidenceModalMeta | None:
    try:
        return EvidenceModalMeta.load(view.get("private_metadata"))
    except ValueError:
        return None


def _confirm_by_dm(client: WebClient, user_id: str, captured: Captured, suggestion: Offer = None) -> None:
    confirm_by_dm(client, user_id, captured.evidence_id, [tag.label for tag in captured.tags], suggestion)


def evidence_submitted(ack: Ack, view: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    entered = parse_evidence_submission(view["state"]["values"])
    if is_blank(entered.text):
        ack(response_action="errors", errors={EvidenceBlock.TEXT: EMPTY_TEXT})
        return
    meta = _meta(view)
    if meta is None:
        ack(response_action="errors", errors={EvidenceBlock.TEXT: STALE_FORM})
        return
    try:
        added = add_from_modal(
            deps.uow,
            deps.library,
            actor,
            token=meta.token,
            text=entered.text,
            link=entered.link,
            behaviour_ids=entered.behaviour_ids,
            prompt_id=meta.prompt_id,
            now=deps.now(),
        )
    except FieldTooLong as error:
        ack(response_action="errors", errors={FIELD_BLOCKS.get(error.field, EvidenceBlock.TEXT): str(error)})
        return
    except UserFacingError as error:
        ack(response_action="errors", errors={EvidenceBlock.TEXT: str(error)})
        return
    ack()
    captured = added.captured
    if not captured.created:
        return
    # The prompt DM redrawn as answered is the confirmation; without it (or if it can't be), or with a
    # behaviour the text fits clearly better than the tags picked in the form, a DM. (A weak match kept
    # what the form showed pre-selected, so a redrawn prompt says enough.)
    redrawn = added.prompt_id is not None and redraw_prompt(client, deps, added.prompt_id)
    if redrawn:  # shown: recorded before the offer below, so its failure never gets a second confirmation
        mark_confirmed(deps, captured.evidence_id, deps.now())
    if not redrawn or isinstance(added.suggestion, Suggestion):
        shown_or_left_to_sweep(
            deps, captured.evidence_id, lambda: _confirm_by_dm(client, actor.slack_user_id, captured, added.suggestion)
        )
    refresh_home(client, deps, actor.team_id, actor.slack_user_id)


def saved_message_confirmed(ack: Ack, view: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    meta = _meta(view)
    if meta is None or not meta.channel_id or not meta.message_ts or meta.text is None:
        ack(response_action="errors", errors={EvidenceBlock.BEHAVIOURS: STALE_FORM})
        return
    try:
        saved = save_message(
            deps.uow,
            deps.library,
            actor,
            text=meta.text,
            channel_id=meta.channel_id,
            message_ts=meta.message_ts,
            author_id=meta.author_id,
            behaviour_ids=parse_behaviour_ids(view["state"]["values"]),
            now=deps.now(),
        )
    except (FieldTooLong, UserFacingError) as error:
        ack(response_action="errors", errors={EvidenceBlock.BEHAVIOURS: str(error)})
        return
    ack()
    captured = saved.captured
    if saved.retagged:
        _confirm_by_dm(client, actor.slack_user_id, captured)
        return
    if not captured.created:
        return  # a double click, or saved again with the same tags
    attach_permalink(client, deps, captured.evidence_id, meta.channel_id, meta.message_ts)
    shown_or_left_to_sweep(
        deps, captured.evidence_id, lambda: _confirm_by_dm(client, actor.slack_user_id, captured, saved.suggestion)
    )
    refresh_home(client, deps, actor.team_id, actor.slack_user_id)


def retagged(ack: Ack, view: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    meta = _meta(view)
    behaviour_ids = parse_behaviour_ids(view["state"]["values"])
    if not behaviour_ids:
        ack(response_action="errors", errors={EvidenceBlock.BEHAVIOURS: "Pick at least one behaviour."})
        return
    if meta is None or meta.evidence_id is None:
        ack(response_action="errors", errors={EvidenceBlock.BEHAVIOURS: STALE_FORM})
        return
    try:
        outcome = retag_evidence(
            deps.uow, deps.library, actor, evidence_id=meta.evidence_id, behaviour_ids=behaviour_ids, now=deps.now()
        )
    except UserFacingError as error:
        ack(response_action="errors", errors={EvidenceBlock.BEHAVIOURS: str(error)})
        return
    if isinstance(outcome, NotYours):
        ack(response_action="errors", errors={EvidenceBlock.BEHAVIOURS: NOT_YOURS})
        return
    ack()
    captured = outcome.captured
    labels = [tag.label for tag in captured.tags]
    blocks = [b.to_dict() for b in evidence_saved_blocks(captured.evidence_id, labels)]
    text = evidence_saved_text(labels)
    if meta.response_url:
        PooledWebhookClient(meta.response_url).send(text=text, blocks=blocks, replace_original=True)
    elif meta.channel_id and meta.message_ts and meta.channel_id == outcome.own_dm:
        client.chat_update(channel=meta.channel_id, ts=meta.message_ts, text=text, blocks=blocks)
    else:
        client.chat_postMessage(channel=actor.slack_user_id, text=text, blocks=blocks)
    mark_confirmed(deps, captured.evidence_id, deps.now())  # e.g. a long saved message, stored before its tags
    refresh_home(client, deps, actor.team_id, actor.slack_user_id)


def attach_permalink(client: WebClient, deps: Deps, evidence_id: int, channel_id: str, message_ts: str) -> None:
    """Store the saved message's permalink; evidence without it is still evidence."""
    try:
        permalink = client.chat_getPermalink(channel=channel_id, message_ts=message_ts)["permalink"]
    except SlackApiError as error:
        log.warning("no permalink for %s/%s: %s", channel_id, message_ts, error.response.get("error"))
        return
    store_permalink(deps.uow, evidence_id, permalink)


def register(app: App, deps: Deps) -> None:
    app.view(Callback.EVIDENCE)(evidence_submitted)
    app.view(Callback.SAVE_AS_EVIDENCE_CONFIRM)(saved_message_confirmed)
    app.view(Callback.RETAG)(retagged)
