"""The back-off DMs' buttons: Fortnightly, Monthly, Pause, Keep / Back to weekly. The choice comes from
the action id (never the value alone) and only ever changes the clicking person's own schedule."""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks.backoff import chosen_text
from bot.blocks.when import when_label
from bot.delivery.home import refresh_home
from bot.deps import Deps
from bot.ids import BackoffAction
from bot.services.actor import Actor
from bot.services.backoff_requests import BackoffChoice, choose

CHOICE_OF: dict[str, BackoffChoice] = {
    BackoffAction.FORTNIGHTLY: "fortnightly",
    BackoffAction.MONTHLY: "monthly",
    BackoffAction.PAUSE: "pause",
    BackoffAction.KEEP: "keep",
}


def choose_cadence(
    ack: Ack, action: dict[str, object], client: WebClient, respond: Respond, deps: Deps, actor: Actor
) -> None:
    ack()
    chosen = choose(deps.uow, actor, CHOICE_OF[str(action["action_id"])], deps.now())
    next_at = when_label(chosen.state.next_due_at, chosen.tz) if chosen.state.next_due_at else None
    respond(text=chosen_text(chosen.choice, chosen.cadence, next_at), replace_original=True)
    refresh_home(client, deps, actor.team_id, actor.slack_user_id)


def register(app: App, deps: Deps) -> None:
    for action_id in CHOICE_OF:
        app.action(action_id)(choose_cadence)
