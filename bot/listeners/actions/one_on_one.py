"""App Home "1:1s" button: open the modal to schedule a 1:1 with one of your consenting reports."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.one_on_one import lead_label, one_on_one_modal
from bot.deps import Deps
from bot.ids import OneOnOneAction
from bot.services import slots
from bot.services.actor import Actor
from bot.services.one_on_one_requests import scheduling_form


def open_clicked(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    ack()
    form = scheduling_form(deps.uow, actor)
    # Each existing 1:1 says its own lead (set when it was scheduled); a new one gets the setting's.
    existing = [
        f"• <@{row.report_slack_id}>: {slots.recurring(row.meeting)}, "
        f"digest {lead_label(row.meeting.digest_lead_minutes)} before"
        for row in form.meetings
    ]
    view = one_on_one_modal(form.reports, existing, form.tz, deps.settings.digest_lead_minutes)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def register(app: App, deps: Deps) -> None:
    app.action(OneOnOneAction.OPEN)(open_clicked)
