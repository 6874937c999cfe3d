"""The focus modal was submitted: the chosen behaviours (re-checked against the person's ladder) become
their focus, or the modal shows why not; then their Home is redrawn."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.delivery.home import publish_home
from bot.deps import Deps
from bot.ids import Callback, FocusAction, FocusBlock
from bot.services.actor import Actor
from bot.services.focus_requests import FocusRefused, add_focus_ids


def chosen_ids(view: dict[str, Any]) -> list[str]:
    state = ((view.get("state") or {}).get("values") or {}).get(FocusBlock.SELECT) or {}
    selected = (state.get(FocusAction.SELECT) or {}).get("selected_options") or []
    return [str(option.get("value")) for option in selected if isinstance(option, dict)]


def focus_submitted(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    outcome = add_focus_ids(deps.uow, deps.library, actor, chosen_ids(body["view"]), deps.now())
    if isinstance(outcome, FocusRefused):
        ack(response_action="errors", errors={FocusBlock.SELECT.value: outcome.message})
        return
    ack()
    publish_home(client, deps, actor.team_id, actor.slack_user_id)


def register(app: App, deps: Deps) -> None:
    app.view(Callback.FOCUS)(focus_submitted)
