"""The Promote button on a report's ready area: open the confirmation modal (everything re-checked)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.promotion import PromotionTarget, promotion_modal, refused_view
from bot.deps import Deps
from bot.ids import PromotionAction
from bot.services.actor import Actor
from bot.services.promotion_requests import Refused, form_from_ids


def promote_clicked(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    ack()
    target = PromotionTarget.parse((body.get("actions") or [{}])[0].get("value"))
    form = form_from_ids(
        deps.uow,
        deps.library,
        deps.settings,
        actor,
        person_id=target.person_id,
        area_id=target.area_id,
        level_id=target.level_id,
        now=deps.now(),
    )
    view = refused_view(form.message) if isinstance(form, Refused) else promotion_modal(form)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def register(app: App, deps: Deps) -> None:
    app.action(PromotionAction.OPEN)(promote_clicked)
