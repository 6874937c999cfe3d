"""The manager's quick sign-off menu on a digest (a verdict, or "Doesn't show this"), and the engineer's
reply button on a dispute DM.

Everything the menu names (person, behaviour, cited evidence) came back from Slack: bot.services.signoff
and bot.services.disputes re-check that the acting user is the person's current manager and that the
behaviour and items are the person's, and answer NOT_AVAILABLE otherwise.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks.digest import (
    SIGN_OFF_DISPUTE,
    parse_sign_off_block,
    parse_sign_off_choice,
    signed_off_line,
    with_verdict,
)
from bot.blocks.disputes import DisputeMeta, dispute_modal, reply_modal
from bot.delivery.disputes import update_verdict_line
from bot.deps import Deps
from bot.ids import DigestAction, DisputeAction
from bot.services import access
from bot.services.actor import Actor
from bot.services.disputes import NotAvailable, dispute_form, reply_target
from bot.services.signoff import sign_off


def _refuse(respond: Respond) -> None:
    respond(text=access.NOT_AVAILABLE, response_type="ephemeral", replace_original=False)


def sign_off_chosen(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    deps: Deps,
    actor: Actor,
) -> None:
    ack()
    block_id = str(action.get("block_id") or "")
    person_id, behaviour_id, evidence_ids = parse_sign_off_block(block_id)
    choice = parse_sign_off_choice((action.get("selected_option") or {}).get("value"))
    container = body.get("container") or {}
    message = body.get("message") or {}
    ephemeral = bool(container.get("is_ephemeral"))
    channel_id, message_ts = container.get("channel_id"), container.get("message_ts") or message.get("ts")
    if choice is None:
        _refuse(respond)
        return
    if choice == SIGN_OFF_DISPUTE:
        form = dispute_form(deps, actor, person_id=person_id, behaviour_id=behaviour_id, evidence_ids=evidence_ids)
        if isinstance(form, NotAvailable):
            _refuse(respond)
            return
        meta = DisputeMeta(
            form.person_id,
            form.behaviour_id,
            form.evidence_ids,
            None if ephemeral else channel_id,
            None if ephemeral else message_ts,
            block_id,
            body.get("response_url") if ephemeral else None,
        )
        client.views_open(trigger_id=body["trigger_id"], view=dispute_modal(form, meta))
        return
    signed = sign_off(
        deps,
        actor,
        person_id=person_id,
        behaviour_id=behaviour_id,
        evidence_ids=evidence_ids,
        verdict=choice,
        message_key=f"{channel_id}:{message_ts}",
    )
    if isinstance(signed, NotAvailable):
        _refuse(respond)
        return
    line = signed_off_line(signed.verdict)
    text = message.get("text") or "Digest"
    if ephemeral:
        respond(text=text, blocks=with_verdict(message.get("blocks") or [], block_id, line), replace_original=True)
    elif channel_id and message_ts:
        update_verdict_line(
            client,
            channel_id=channel_id,
            message_ts=message_ts,
            blocks=message.get("blocks") or [],
            text=text,
            block_id=block_id,
            line=line,
        )


def reply_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    deps: Deps,
    actor: Actor,
) -> None:
    ack()
    evidence, _, behaviour_id = str(action.get("value") or "").partition(":")
    target = reply_target(deps, actor, int(evidence) if evidence.isdigit() else None, behaviour_id or None)
    if isinstance(target, NotAvailable):
        _refuse(respond)
        return
    client.views_open(
        trigger_id=body["trigger_id"], view=reply_modal(target.evidence_id, target.behaviour_id, target.manager_name)
    )


def register(app: App, deps: Deps) -> None:
    app.action(DigestAction.SIGN_OFF)(sign_off_chosen)
    app.action(DisputeAction.REPLY)(reply_clicked)
