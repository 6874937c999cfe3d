"""App Home "1:1s" button: open the modal to schedule a 1:1 with one of your consenting reports."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.one_on_one import one_on_one_modal
from bot.deps import Deps
from bot.ids import OneOnOneAction
from bot.services import slots
from bot.services.lookup import find_person


def register(app: App, deps: Deps) -> None:
    @app.action(OneOnOneAction.OPEN)
    def open_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        with deps.uow() as uow:
            me = find_person(uow, body["team"]["id"], body["user"]["id"])
            reports: list[tuple[str, str]] = []
            existing: list[str] = []
            tz = me.tz if me else "UTC"
            if me is not None:
                for link in uow.managers.reports_of(me.id):
                    reports.append((link.person.slack_user_id, link.person.display_name or link.person.slack_user_id))
                for meeting in uow.one_on_ones.list_for_manager(me.id):
                    report = uow.people.get(meeting.report_id)
                    if report is not None:
                        existing.append(f"• <@{report.slack_user_id}>: {slots.recurring(meeting)}")
        client.views_open(trigger_id=body["trigger_id"], view=one_on_one_modal(reports, existing, tz))
