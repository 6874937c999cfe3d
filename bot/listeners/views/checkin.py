"""A check-in page was submitted: store its verdicts, then show the next page in the same modal, or the
rater's thanks (and, when this completed the check-in, send both sides the result)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.checkin import finished_text, notice_modal, parse_rating, rating_modal
from bot.delivery.checkins import send_reveal
from bot.delivery.home import publish_home, refresh_home
from bot.deps import Deps
from bot.ids import Callback, CheckinBlock, checkin_block_id
from bot.listeners.actions.checkin import CLOSED
from bot.services.access import NOT_AVAILABLE
from bot.services.actor import Actor
from bot.services.checkin_requests import Closed, Finished, Invalid, Refused, submit_page


def page_submitted(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    view = body["view"]
    checkin_id, page_index, answers = parse_rating(view)
    outcome = submit_page(
        deps.uow,
        deps.library,
        actor,
        checkin_id=checkin_id,
        page_index=page_index,
        view_id=str(view.get("id") or ""),
        answers=answers,
        now=deps.now(),
    )
    if isinstance(outcome, Invalid):
        errors = {checkin_block_id(CheckinBlock.VERDICT_PREFIX, b): "Pick one." for b in outcome.missing}
        ack(response_action="errors", errors=errors)
        return
    if isinstance(outcome, Refused):
        ack(response_action="update", view=notice_modal("Check-in", NOT_AVAILABLE))
        return
    if isinstance(outcome, Closed):
        ack(response_action="update", view=notice_modal("Check-in", CLOSED))
        return
    if not isinstance(outcome, Finished):
        ack(response_action="update", view=rating_modal(outcome))
        return
    ack(response_action="update", view=notice_modal("Check-in submitted", finished_text(outcome)))
    if outcome.revealed:
        send_reveal(deps, outcome.checkin_id, deps.now())
    publish_home(client, deps, actor.team_id, actor.slack_user_id)
    if outcome.other_rater:  # their Home's pending check-in (or its result) changed too
        refresh_home(client, deps, actor.team_id, outcome.other_rater)


def register(app: App, deps: Deps) -> None:
    app.view(Callback.CHECKIN_PAGE)(page_submitted)
