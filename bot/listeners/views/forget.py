"""The `/ladder forget` modal was confirmed: delete the submitter's data and show what went."""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.forget import deletion_lines, forget_done_view
from bot.delivery.home import publish_home
from bot.deps import Deps
from bot.ids import Callback
from bot.services.actor import Actor
from bot.services.data_rights import forget_actor


def forget_confirmed(ack: Ack, client: WebClient, deps: Deps, actor: Actor) -> None:
    # Whose data: the signed payload's user (the actor), never anything the view carries.
    report = forget_actor(deps.uow, actor, deps.now())
    counts = report.as_dict() if report else None
    ack(response_action="update", view=forget_done_view(counts))
    client.chat_postMessage(
        channel=actor.slack_user_id, text=f"Your growthbot data is deleted.\n{deletion_lines(counts)}"
    )
    publish_home(client, deps, actor.team_id, actor.slack_user_id)


def register(app: App, deps: Deps) -> None:
    app.view(Callback.FORGET)(forget_confirmed)
