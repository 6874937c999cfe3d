"""The setup modal submitted: inline errors, or save everything at once and publish the Home tab."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.onboarding import ModalState, errors_for_slack, parse_setup_state
from bot.delivery.home import publish_home
from bot.deps import Deps
from bot.ids import Callback, OnboardingBlock
from bot.services.actor import Actor
from bot.services.directory import refresh_manager_profile
from bot.services.onboarding import save_setup, validate
from bot.services.people import SlackProfile
from bot.slack_directory import SlackDirectory

log = logging.getLogger(__name__)

STALE_FORM = "The levels below were for another ladder. Check them and press Save again."


def _profile_or_none(client: WebClient, user_id: str | None) -> SlackProfile | None:
    """users.info for someone in the setup; not knowing (Slack slow or down) never blocks saving it."""
    if not user_id:
        return None
    try:
        return SlackDirectory(client).profile(user_id)
    except (SlackApiError, OSError) as error:
        log.warning("could not read the Slack profile of %s: %s", user_id, error)
        return None


def setup_submitted(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext, deps: Deps, actor: Actor
) -> None:
    team_id, user_id = actor.team_id, actor.slack_user_id
    form = parse_setup_state(view)
    built_for = ModalState.load(view.get("private_metadata")).framework_id
    if form.framework_id and built_for and form.framework_id != built_for:
        ack(response_action="errors", errors={OnboardingBlock.FRAMEWORK.value: STALE_FORM})
        return
    manager = _profile_or_none(client, form.manager_user_id) if form.manager_user_id not in (None, user_id) else None
    choice = validate(form, deps.library, user_id, context.bot_user_id, manager)
    if isinstance(choice, list):
        ack(response_action="errors", errors=errors_for_slack(choice))
        return
    ack()
    # Slack failing here must not lose the setup: the name and time zone are refreshed later.
    profile = _profile_or_none(client, user_id) or SlackProfile(user_id, None, None, None)
    result = save_setup(deps.uow, team_id=team_id, profile=profile, choice=choice, now=deps.now())
    publish_home(client, deps, team_id, user_id)
    if result.manager_person_id is not None and choice.manager_user_id:
        try:
            refresh_manager_profile(SlackDirectory(client), deps.uow, team_id, choice.manager_user_id, deps.now())
        except (SlackApiError, OSError) as error:  # the setup is saved; the name follows later
            log.warning("could not read the manager's Slack profile: %s", error)


def register(app: App, deps: Deps) -> None:
    app.view(Callback.ONBOARDING)(setup_submitted)
