"""The `/ladder forget` modal was confirmed: delete the submitter's data and show what went."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.forget import deletion_lines, forget_done_view
from bot.deps import Deps
from bot.ids import Callback
from bot.listeners.surfaces import publish_home
from bot.services.data_rights import delete_person_data


def register(app: App, deps: Deps) -> None:
    @app.view(Callback.FORGET)
    def forget_confirmed(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        # Whose data: the signed payload's user, never anything the view carries.
        user_id, team_id = body["user"]["id"], body["team"]["id"]
        with deps.uow() as uow:
            workspace = uow.workspaces.get_by_team(team_id)
            person = uow.people.get_by_slack_id(workspace.id, user_id) if workspace else None
            report = delete_person_data(uow, person, actor=user_id, now=deps.now()) if person else None
        counts = report.as_dict() if report else None
        ack(response_action="update", view=forget_done_view(counts))
        client.chat_postMessage(channel=user_id, text=f"Your growthbot data is deleted.\n{deletion_lines(counts)}")
        publish_home(client, deps, team_id, user_id)
