"""The prompt DM's buttons (Add evidence, Nothing this week, Snooze a day, Pause prompts, Resume), the
"Change tag" button on evidence confirmations, and App Home's "Log evidence".

Each handler acknowledges first, then re-checks that the clicking user owns the prompt or evidence.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks.prompt import resumed_text
from bot.blocks.when import when_label
from bot.delivery.home import refresh_home
from bot.delivery.prompt_redraw import PromptLook, redraw_prompt
from bot.deps import Deps
from bot.ids import EvidenceAction, HomeAction, PromptAction
from bot.listeners.evidence_ui import (
    NOT_YOURS,
    open_evidence_modal,
    open_retag_modal,
    refresh_suggestions,
)
from bot.services.actor import Actor
from bot.services.evidence import parse_id
from bot.services.prompt_requests import PromptButton, press_prompt_button, resume_from_prompt

CHANGED_NOT_REDRAWN = "Done, but I couldn't update the message above; your Home tab shows where things stand."


def _parse_date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def add_evidence(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps, actor: Actor
) -> None:
    ack()
    prompt_id = parse_id(action.get("value"))
    open_evidence_modal(client, deps, actor, trigger_id=body["trigger_id"], prompt_id=prompt_id or -1)


def log_from_home(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    ack()
    open_evidence_modal(client, deps, actor, trigger_id=body["trigger_id"])


# Which prompt button does what to the prompt, how the DM looks after it, and whether Home changes.
BUTTONS: dict[str, tuple[PromptButton, PromptLook, bool]] = {
    PromptAction.NOTHING_THIS_WEEK: ("nothing_this_week", "auto", False),
    PromptAction.SNOOZE: ("snooze", "snoozed", False),
    PromptAction.PAUSE: ("pause", "auto", True),
    PromptAction.RESUME_ON: ("pause_until", "auto", True),
}


def prompt_button(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    deps: Deps,
    actor: Actor,
) -> None:
    """Apply the button to the clicking user's own prompt, then redraw it (and their Home); anyone else
    is told it is not theirs and nothing changes."""
    ack()
    button, look, home = BUTTONS[action["action_id"]]
    if button == "pause_until":
        # The datepicker has no value of its own: the prompt is the message's.
        prompt_id, until = _prompt_of_message(body), _parse_date(action.get("selected_date"))
    else:
        prompt_id, until = parse_id(action.get("value")), None
    changed = press_prompt_button(deps.uow, actor, prompt_id, button, deps.now(), until=until)
    if changed is None:
        respond(text=NOT_YOURS, response_type="ephemeral", replace_original=False)
        return
    if not redraw_prompt(client, deps, changed, look=look):
        respond(text=CHANGED_NOT_REDRAWN, response_type="ephemeral", replace_original=False)
    if home:
        refresh_home(client, deps, actor.team_id, actor.slack_user_id)


def resume(ack: Ack, action: dict[str, Any], client: WebClient, respond: Respond, deps: Deps, actor: Actor) -> None:
    ack()
    change = resume_from_prompt(deps.uow, actor, parse_id(action.get("value")), deps.now())
    if change is None or change.open_prompt_id is None:
        respond(text=NOT_YOURS, response_type="ephemeral", replace_original=False)
        return
    redraw_prompt(client, deps, change.open_prompt_id)
    next_at = when_label(change.state.next_due_at, change.tz)
    respond(text=resumed_text(next_at), response_type="ephemeral", replace_original=False)
    refresh_home(client, deps, actor.team_id, actor.slack_user_id)


def evidence_typed(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    ack()
    refresh_suggestions(client, deps, actor, body.get("view") or {})


def retag(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    ack()
    container = body.get("container") or {}
    ephemeral = bool(container.get("is_ephemeral"))
    open_retag_modal(
        client,
        deps,
        actor,
        trigger_id=body["trigger_id"],
        evidence_id=parse_id(action.get("value")) or -1,
        channel_id=None if ephemeral else container.get("channel_id"),
        message_ts=None if ephemeral else container.get("message_ts"),
        response_url=body.get("response_url") if ephemeral else None,
    )


def register(app: App, deps: Deps) -> None:
    app.action(PromptAction.ADD_EVIDENCE)(add_evidence)
    app.action(HomeAction.LOG_EVIDENCE)(log_from_home)
    for action_id in BUTTONS:
        app.action(action_id)(prompt_button)
    app.action(PromptAction.RESUME)(resume)
    app.action(EvidenceAction.TEXT)(evidence_typed)
    app.action(EvidenceAction.RETAG)(retag)


def _prompt_of_message(body: dict[str, Any]) -> int | None:
    """The prompt id the message's buttons carry (the datepicker has no value of its own)."""
    for block in (body.get("message") or {}).get("blocks") or []:
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("action_id") == PromptAction.RESUME:
                return parse_id(element.get("value"))
    return None
