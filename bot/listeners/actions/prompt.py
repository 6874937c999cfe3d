"""The prompt DM's buttons (Add evidence, Nothing this week, Snooze a day, Pause prompts, Resume), the
"Change tag" button on evidence confirmations, and App Home's "Log evidence".

Each handler acknowledges first, then re-checks that the clicking user owns the prompt or evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks.prompt import resumed_text
from bot.blocks.when import when_label
from bot.delivery.prompt_redraw import PromptLook, redraw_prompt
from bot.deps import Deps
from bot.ids import EvidenceAction, HomeAction, PromptAction
from bot.listeners.evidence_ui import (
    NOT_YOURS,
    open_evidence_modal,
    open_retag_modal,
    refresh_home,
    refresh_suggestions,
)
from bot.services import prompt_controls
from bot.services.evidence import owned_prompt, parse_id
from storage.models import Person, Prompt
from storage.uow import UnitOfWork

CHANGED_NOT_REDRAWN = "Done, but I couldn't update the message above; your Home tab shows where things stand."


def _who(body: dict[str, Any]) -> tuple[str, str]:
    return body["team"]["id"], body["user"]["id"]


def _parse_date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def register(app: App, deps: Deps) -> None:
    @app.action(PromptAction.ADD_EVIDENCE)
    def add_evidence(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id = _who(body)
        prompt_id = parse_id(action.get("value"))
        open_evidence_modal(
            client, deps, team_id=team_id, user_id=user_id, trigger_id=body["trigger_id"], prompt_id=prompt_id or -1
        )

    @app.action(HomeAction.LOG_EVIDENCE)
    def log_from_home(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id = _who(body)
        open_evidence_modal(client, deps, team_id=team_id, user_id=user_id, trigger_id=body["trigger_id"])

    def on_own_prompt(
        body: dict[str, Any],
        prompt_id: int | None,
        client: WebClient,
        respond: Respond,
        change: Callable[[UnitOfWork, Person, Prompt], object],
        *,
        look: PromptLook = "auto",
        home: bool = False,
    ) -> None:
        """Apply `change` to the clicking user's own prompt, then redraw it (and their Home); anyone else
        is told it is not theirs and nothing changes."""
        team_id, user_id = _who(body)
        with deps.uow() as uow:
            owned = owned_prompt(uow, team_id, user_id, prompt_id)
            if owned is not None:
                change(uow, *owned)
        if owned is None:
            respond(text=NOT_YOURS, response_type="ephemeral", replace_original=False)
            return
        if not redraw_prompt(client, deps, owned[1].id, look=look):
            respond(text=CHANGED_NOT_REDRAWN, response_type="ephemeral", replace_original=False)
        if home:
            refresh_home(client, deps, team_id, user_id)

    @app.action(PromptAction.NOTHING_THIS_WEEK)
    def nothing_this_week(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        on_own_prompt(
            body,
            parse_id(action.get("value")),
            client,
            respond,
            lambda uow, _person, prompt: prompt_controls.skip_prompt(uow, prompt, deps.now()),
        )

    @app.action(PromptAction.SNOOZE)
    def snooze(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        on_own_prompt(
            body,
            parse_id(action.get("value")),
            client,
            respond,
            lambda uow, _person, prompt: prompt_controls.snooze_prompt(uow, prompt, deps.now()),
            look="snoozed",
        )

    @app.action(PromptAction.PAUSE)
    def pause(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        on_own_prompt(
            body,
            parse_id(action.get("value")),
            client,
            respond,
            lambda uow, person, _prompt: prompt_controls.pause(uow, person, deps.now()),
            home=True,
        )

    @app.action(PromptAction.RESUME_ON)
    def resume_on(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        until = _parse_date(action.get("selected_date"))

        def pause_until(uow: UnitOfWork, person: Person, _prompt: Prompt) -> None:
            if until is not None:
                prompt_controls.pause(uow, person, deps.now(), until=until)

        on_own_prompt(body, _prompt_of_message(body), client, respond, pause_until, home=True)

    @app.action(PromptAction.RESUME)
    def resume(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        team_id, user_id = _who(body)
        with deps.uow() as uow:
            owned = owned_prompt(uow, team_id, user_id, parse_id(action.get("value")))
            state = prompt_controls.resume(uow, owned[0], deps.now()) if owned is not None else None
            tz = owned[0].tz if owned is not None else None
        if owned is None or state is None:
            respond(text=NOT_YOURS, response_type="ephemeral", replace_original=False)
            return
        redraw_prompt(client, deps, owned[1].id)
        respond(text=resumed_text(when_label(state.next_due_at, tz)), response_type="ephemeral", replace_original=False)
        refresh_home(client, deps, team_id, user_id)

    @app.action(EvidenceAction.TEXT)
    def evidence_typed(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id = _who(body)
        refresh_suggestions(client, deps, team_id, user_id, body.get("view") or {})

    @app.action(EvidenceAction.RETAG)
    def retag(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id = _who(body)
        container = body.get("container") or {}
        ephemeral = bool(container.get("is_ephemeral"))
        open_retag_modal(
            client,
            deps,
            team_id=team_id,
            user_id=user_id,
            trigger_id=body["trigger_id"],
            evidence_id=parse_id(action.get("value")) or -1,
            channel_id=None if ephemeral else container.get("channel_id"),
            message_ts=None if ephemeral else container.get("message_ts"),
            response_url=body.get("response_url") if ephemeral else None,
        )


def _prompt_of_message(body: dict[str, Any]) -> int | None:
    """The prompt id the message's buttons carry (the datepicker has no value of its own)."""
    for block in (body.get("message") or {}).get("blocks") or []:
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("action_id") == PromptAction.RESUME:
                return parse_id(element.get("value"))
    return None
