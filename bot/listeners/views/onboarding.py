"""The setup modal submitted: inline errors, or save everything at once and publish the Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks.onboarding import ModalState, errors_for_slack, parse_setup_state
from bot.deps import Deps
from bot.ids import Callback, OnboardingBlock
from bot.listeners.surfaces import publish_home
from bot.services.onboarding import save_setup, validate
from bot.services.people import SlackProfile, lookup_profile, refresh_manager_profile

STALE_FORM = "The levels below were for another ladder. Check them and press Save again."


def register(app: App, deps: Deps) -> None:
    @app.view(Callback.ONBOARDING)
    def setup_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        form = parse_setup_state(view)
        built_for = ModalState.load(view.get("private_metadata")).framework_id
        if form.framework_id and built_for and form.framework_id != built_for:
            ack(response_action="errors", errors={OnboardingBlock.FRAMEWORK.value: STALE_FORM})
            return
        choice = validate(form, deps.library, user_id, context.bot_user_id)
        if isinstance(choice, list):
            ack(response_action="errors", errors=errors_for_slack(choice))
            return
        ack()
        profile = lookup_profile(client, user_id) or SlackProfile(user_id, None, None, None)
        result = save_setup(deps.uow, team_id=team_id, profile=profile, choice=choice, now=deps.now())
        publish_home(client, deps, team_id, user_id)
        if result.manager_person_id is not None and choice.manager_user_id:
            refresh_manager_profile(client, deps.uow, team_id, choice.manager_user_id, deps.now())
