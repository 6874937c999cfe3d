"""Accept / Decline on a manager request. The link id in the button is re-checked: only the person the
request asks can answer it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks.consent import consent_already_decided_blocks, consent_decided_blocks, manager_told_text
from bot.delivery.checkins import tell_new_manager
from bot.delivery.home import refresh_home
from bot.deps import Deps
from bot.ids import ConsentAction
from bot.services import consent
from bot.services.access import NOT_AVAILABLE
from bot.services.actor import Actor
from bot.services.team_requests import answer_manager_request


def _link_id(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def decided(action: dict[str, Any], respond: Respond, client: WebClient, ack: Ack, deps: Deps, actor: Actor) -> None:
    ack()
    answered = answer_manager_request(
        deps.uow,
        deps.library,
        actor,
        link_id=_link_id(action.get("value")),
        accept=action["action_id"] == ConsentAction.ACCEPT,
        now=deps.now(),
    )
    if answered is None:
        respond(text=NOT_AVAILABLE, response_type="ephemeral", replace_original=False)
        return
    if answered.decision is consent.Decision.ALREADY_DECIDED:
        blocks = consent_already_decided_blocks()
        respond(text="Already answered", blocks=[b.to_dict() for b in blocks], replace_original=True)
        return
    accepted = answered.decision is consent.Decision.ACCEPTED
    blocks = consent_decided_blocks(accepted, answered.manager_slack_id)
    respond(text="Thanks, noted.", blocks=[b.to_dict() for b in blocks], replace_original=True)
    client.chat_postMessage(
        channel=answered.manager_slack_id, text=manager_told_text(answered.report_slack_id, accepted)
    )
    if answered.moved_checkin is not None:
        tell_new_manager(client, deps, answered.moved_checkin)
    # Both Homes show the link (the report's manager, the manager's reports); so did a replaced manager's.
    people = (answered.report_slack_id, answered.manager_slack_id, answered.replaced_manager_slack_id)
    for user_id in dict.fromkeys(filter(None, people)):
        refresh_home(client, deps, actor.team_id, user_id)


def register(app: App, deps: Deps) -> None:
    app.action(ConsentAction.ACCEPT)(decided)
    app.action(ConsentAction.DECLINE)(decided)
