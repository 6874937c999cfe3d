"""The App Home 1:1 modal was submitted: schedule it if the submitter is the report's manager."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.digest import slack_date
from bot.blocks.one_on_one import parse_one_on_one
from bot.delivery.home import publish_home
from bot.deps import Deps
from bot.ids import Callback, OneOnOneBlock
from bot.services import slots
from bot.services.access import NOT_AVAILABLE
from bot.services.actor import Actor
from bot.services.one_on_one_requests import Refused, schedule_with_report


def one_on_one_submitted(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
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
    outcome = (
        schedule_with_report(
            deps.uow,
            actor,
            report_slack_id=form.report_slack_id,
            slot=slots.Slot(form.weekday, form.local_time, form.cadence),
            now=deps.now(),
            lead_minutes=deps.settings.digest_lead_minutes,
        )
        if form.report_slack_id
        else Refused()
    )
    if isinstance(outcome, Refused):
        ack(response_action="errors", errors={OneOnOneBlock.REPORT: NOT_AVAILABLE})
        return
    ack()
    text = (
        f"1:1 with <@{outcome.report_slack_id}>: {slots.recurring(outcome.meeting)} ({outcome.manager_tz} time). "
        f"Next one {slack_date(outcome.meeting.next_at, outcome.manager_tz)}."
    )
    client.chat_postMessage(channel=actor.slack_user_id, text=text)
    publish_home(client, deps, actor.team_id, actor.slack_user_id)


def register(app: App, deps: Deps) -> None:
    app.view(Callback.ONE_ON_ONE)(one_on_one_submitted)
