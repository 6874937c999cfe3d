""" "Start rating" / "Continue check-in" (a DM or the App Home): open the page the clicker rates next.

The button's value is a check-in id that came back from Slack: bot.services.checkin_requests re-checks
that the clicker rates in it; anything else gets the neutral refusal.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks.checkin import notice_modal, rating_modal
from bot.deps import Deps
from bot.ids import CheckinAction
from bot.services.access import NOT_AVAILABLE
from bot.services.actor import Actor
from bot.services.checkin_requests import Closed, Refused, open_rating

CLOSED = "This check-in is closed: its result was sent to you in a DM."


def open_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    deps: Deps,
    actor: Actor,
) -> None:
    ack()
    value = action.get("value")
    checkin_id = int(value) if isinstance(value, str) and value.isdigit() else None
    form = open_rating(deps.uow, deps.library, actor, checkin_id, deps.now())
    if isinstance(form, Refused | Closed):
        text = NOT_AVAILABLE if isinstance(form, Refused) else CLOSED
        if body.get("response_url"):
            respond(text=text, response_type="ephemeral", replace_original=False)
        else:  # the App Home has no response_url
            client.views_open(trigger_id=body["trigger_id"], view=notice_modal("Check-in", text))
        return
    client.views_open(trigger_id=body["trigger_id"], view=rating_modal(form))


def register(app: App, deps: Deps) -> None:
    app.action(CheckinAction.OPEN)(open_clicked)
