"""Accept / Decline on a manager request. The link id in the button is re-checked: only the person the
request asks can answer it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks.consent import consent_already_decided_blocks, consent_decided_blocks, manager_told_text
from bot.deps import Deps
from bot.ids import ConsentAction
from bot.listeners.evidence_ui import refresh_home
from bot.services import consent
from bot.services.access import NOT_AVAILABLE
from bot.services.lookup import find_person


def _link_id(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def register(app: App, deps: Deps) -> None:
    @app.action(ConsentAction.ACCEPT)
    @app.action(ConsentAction.DECLINE)
    def decided(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        accept = action["action_id"] == ConsentAction.ACCEPT
        link_id = _link_id(action.get("value"))
        with deps.uow() as uow:
            actor = find_person(uow, body["team"]["id"], body["user"]["id"])
            outcome = None
            if actor is not None and link_id is not None:
                outcome = consent.decide(uow, link_id=link_id, actor=actor, accept=accept, now=deps.now())
            manager_slack_id = outcome.link.manager.slack_user_id if outcome else None
            report_slack_id = actor.slack_user_id if actor else None
            replaced = outcome.ended_previous if outcome else None
            previous_slack_id = replaced.manager.slack_user_id if replaced else None
        if outcome is None or manager_slack_id is None or report_slack_id is None:
            respond(text=NOT_AVAILABLE, response_type="ephemeral", replace_original=False)
            return
        if outcome.decision is consent.Decision.ALREADY_DECIDED:
            blocks = consent_already_decided_blocks()
            respond(text="Already answered", blocks=[b.to_dict() for b in blocks], replace_original=True)
            return
        accepted = outcome.decision is consent.Decision.ACCEPTED
        blocks = consent_decided_blocks(accepted, manager_slack_id)
        respond(text="Thanks, noted.", blocks=[b.to_dict() for b in blocks], replace_original=True)
        client.chat_postMessage(channel=manager_slack_id, text=manager_told_text(report_slack_id, accepted))
        # Both Homes show the link (the report's manager, the manager's reports); so did a replaced manager's.
        team_id = body["team"]["id"]
        for user_id in dict.fromkeys(filter(None, (report_slack_id, manager_slack_id, previous_slack_id))):
            refresh_home(client, deps, team_id, user_id)
