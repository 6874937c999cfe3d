"""The promotion confirmation was submitted: promote (re-checked), tell the engineer, redraw both Homes."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.promotion import PromotionTarget, promoted_view, refused_view
from bot.delivery.home import publish_home
from bot.delivery.promotions import tell_promoted
from bot.deps import Deps
from bot.ids import Callback
from bot.services.actor import Actor
from bot.services.promotion_requests import Refused, promote


def promotion_submitted(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    target = PromotionTarget.parse(body["view"].get("private_metadata"))
    outcome = promote(
        deps.uow,
        deps.library,
        deps.settings,
        actor,
        person_id=target.person_id,
        area_id=target.area_id,
        level_id=target.level_id,
        now=deps.now(),
    )
    if isinstance(outcome, Refused):
        ack(response_action="update", view=refused_view(outcome.message))
        return
    ack(response_action="update", view=promoted_view(outcome))
    tell_promoted(deps, outcome)
    for user_id in (outcome.person_slack_id, actor.slack_user_id):
        publish_home(client, deps, actor.team_id, user_id)


def register(app: App, deps: Deps) -> None:
    app.view(Callback.PROMOTION)(promotion_submitted)
