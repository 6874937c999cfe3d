"""The App Home 1:1 modal was submitted: re-check the manager link, then schedule."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.digest import slack_date
from bot.blocks.one_on_one import parse_one_on_one
from bot.deps import Deps
from bot.ids import Callback, OneOnOneBlock
from bot.listeners.surfaces import publish_home
from bot.services import access, one_on_ones, slots
from bot.services.access import NOT_AVAILABLE
from bot.services.lookup import find_person


def register(app: App, deps: Deps) -> None:
    @app.view(Callback.ONE_ON_ONE)
    def one_on_one_submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        form = parse_one_on_one(body["view"])
        errors = {}
        if form.weekday is None:
            errors[OneOnOneBlock.WEEKDAY] = "Pick a day."
        if form.local_time is None:
            errors[OneOnOneBlock.TIME] = "Pick a time."
        if errors:
            ack(response_action="errors", errors=errors)
            return
        assert form.weekday is not None and form.local_time is not None
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        with deps.uow() as uow:
            me = find_person(uow, team_id, user_id)
            report = find_person(uow, team_id, form.report_slack_id) if form.report_slack_id else None
            if me is None or report is None or not access.is_current_manager(uow, me, report):
                ack(response_action="errors", errors={OneOnOneBlock.REPORT: NOT_AVAILABLE})
                return
            slot = slots.Slot(form.weekday, form.local_time, form.cadence)
            meeting = one_on_ones.schedule(
                uow,
                manager=me,
                report=report,
                slot=slot,
                now=deps.now(),
                lead_minutes=deps.settings.digest_lead_minutes,
            )
            text = (
                f"1:1 with <@{report.slack_user_id}>: {slots.recurring(meeting)} ({me.tz} time). "
                f"Next one {slack_date(meeting.next_at)}."
            )
        ack()
        client.chat_postMessage(channel=user_id, text=text)
        publish_home(client, deps, team_id, user_id)
