"""Slack calls the evidence and prompt listeners share: open the evidence / retag modals, redraw a prompt
DM from its state in the database, confirm saved evidence (and record that it was confirmed), and
refresh App Home after something changed.

Ids that arrive from Slack (prompt id in a button, evidence id, metadata) are always re-checked
against the acting user here or in the services: a value coming back from Slack is never trusted alone.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from bot.blocks.evidence_modal import (
    EvidenceModalMeta,
    behaviour_groups,
    evidence_modal,
    parse_evidence_submission,
    retag_modal,
    save_message_modal,
)
from bot.blocks.prompt import (
    evidence_saved_blocks,
    evidence_saved_text,
    prompt_answered_blocks,
    prompt_blocks,
    prompt_closed_blocks,
    prompt_paused_blocks,
    prompt_skipped_blocks,
    prompt_snoozed_blocks,
    prompt_text,
)
from bot.deps import Deps
from bot.errors import UserFacingError
from bot.listeners.surfaces import publish_home
from bot.services import timing
from bot.services.actor import Actor
from bot.services.evidence import MAX_SUGGESTIONS, Ladder
from bot.services.evidence_forms import NotYours, new_evidence_form, retag_form, typed_evidence_form
from bot.services.home import HomeData
from bot.services.prompting import shown_prompt
from frameworks import Behaviour

log = logging.getLogger(__name__)

NOT_YOURS = "That prompt or evidence is not available to you."

PromptLook = Literal["auto", "snoozed"]


def new_token() -> str:
    return uuid.uuid4().hex


def when_label(moment: datetime | None, tz: str | None) -> str | None:
    """`Tuesday 9 January at 10:00` in the person's time zone."""
    if moment is None:
        return None
    local = timing.to_local(moment, tz)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"


def day_label(moment: datetime | None, tz: str | None) -> str | None:
    if moment is None:
        return None
    local = timing.to_local(moment, tz)
    return f"{local:%A} {local.day} {local:%B}"


def evidence_view(
    ladder: Ladder,
    meta: EvidenceModalMeta,
    *,
    prompt_behaviour: Behaviour | None,
    text: str,
    selected: Sequence[Behaviour] | None = None,
) -> View:
    """The evidence modal: the prompted behaviour, then up to five suggestions ranked against `text`
    (or, before anything is typed, against the prompted behaviour's wording)."""
    if prompt_behaviour is not None:
        # Five suggestions besides the prompted behaviour, which would otherwise take a place among them.
        others = ladder.suggestions(text or prompt_behaviour.text, limit=MAX_SUGGESTIONS + 1)
        rest = [b for b in others if b.id != prompt_behaviour.id][:MAX_SUGGESTIONS]
        first = [prompt_behaviour, *rest]
    else:
        first = ladder.suggestions(text)
    groups = behaviour_groups(
        ladder.framework, first=first, milestone=ladder.milestone, levels_by_area=ladder.levels, track=ladder.track
    )
    preselected = list(selected) if selected is not None else ([prompt_behaviour] if prompt_behaviour else [])
    return evidence_modal(ladder.framework, groups, preselected, meta, prompt_behaviour=prompt_behaviour)


def refresh_suggestions(client: WebClient, deps: Deps, actor: Actor, view: dict[str, Any]) -> None:
    """The person typed in the evidence modal: re-rank the suggested behaviours, keep their picks."""
    try:
        meta = EvidenceModalMeta.load(view.get("private_metadata"))
    except ValueError:
        return
    values = (view.get("state") or {}).get("values") or {}
    entered = parse_evidence_submission(values)
    form = typed_evidence_form(deps.uow, deps.library, actor, meta.prompt_id, entered.behaviour_ids)
    updated = evidence_view(
        form.ladder, meta, prompt_behaviour=form.prompt_behaviour, text=entered.text, selected=form.selected
    )
    try:
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=updated)
    except SlackApiError as error:
        # Cosmetic: a newer keystroke already updated the modal (hash_conflict), or it was submitted
        # and closed meanwhile (not_found); the person's text is in the form either way.
        log.info("suggestions not refreshed: %s", error.response.get("error"))


def open_evidence_modal(
    client: WebClient, deps: Deps, actor: Actor, *, trigger_id: str, prompt_id: int | None = None
) -> None:
    """The evidence modal; from a prompt, with the prompted behaviour pre-selected (if it is theirs)."""
    form = new_evidence_form(deps.uow, deps.library, actor, prompt_id)
    if isinstance(form, NotYours):
        raise UserFacingError(NOT_YOURS)
    meta = EvidenceModalMeta(token=new_token(), framework_id=form.ladder.framework.id, prompt_id=prompt_id)
    view = evidence_view(form.ladder, meta, prompt_behaviour=form.prompt_behaviour, text="")
    client.views_open(trigger_id=trigger_id, view=view)


def save_message_view(ladder: Ladder, meta: EvidenceModalMeta, text: str, author_id: str | None) -> View:
    suggestions = ladder.suggestions(text)
    groups = behaviour_groups(
        ladder.framework,
        first=suggestions,
        milestone=ladder.milestone,
        levels_by_area=ladder.levels,
        track=ladder.track,
    )
    preselected = suggestions[:1]
    return save_message_modal(ladder.framework, groups, preselected, meta, text=text, author_id=author_id)


def open_retag_modal(
    client: WebClient,
    deps: Deps,
    actor: Actor,
    *,
    trigger_id: str,
    evidence_id: int,
    channel_id: str | None = None,
    message_ts: str | None = None,
    response_url: str | None = None,
) -> None:
    form = retag_form(deps.uow, deps.library, actor, evidence_id)
    if isinstance(form, NotYours):
        raise UserFacingError(NOT_YOURS)
    ladder = form.ladder
    suggestions = ladder.suggestions(form.text)
    groups = behaviour_groups(
        ladder.framework,
        first=form.current + suggestions,
        milestone=ladder.milestone,
        levels_by_area=ladder.levels,
        track=ladder.track,
    )
    meta = EvidenceModalMeta(
        token=new_token(),
        framework_id=ladder.framework.id,
        evidence_id=form.evidence_id,
        channel_id=channel_id,
        message_ts=message_ts,
        response_url=response_url,
    )
    if not meta.fits():
        meta = EvidenceModalMeta(token=meta.token, framework_id=meta.framework_id, evidence_id=form.evidence_id)
    view = retag_modal(ladder.framework, groups, form.current, meta, text=form.text)
    client.views_open(trigger_id=trigger_id, view=view)


def redraw_prompt(client: WebClient, deps: Deps, prompt_id: int, look: PromptLook = "auto") -> bool:
    """Update the prompt DM in place (chat.update) to show the prompt's state in the database; False
    when it could not be (the message is gone, Slack failed): what changed is saved either way."""
    with deps.uow() as uow:
        shown = shown_prompt(uow, deps.library, prompt_id, snoozed=look == "snoozed")
    if shown is None:
        return False
    content = shown.content
    if shown.look == "answered":
        blocks = prompt_answered_blocks(content, shown.answers)
    elif shown.look == "skipped":
        blocks = prompt_skipped_blocks(content)
    elif shown.look == "closed":
        blocks = prompt_closed_blocks(content, "This prompt is closed.")
    elif shown.look == "paused":
        blocks = prompt_paused_blocks(content, day_label(shown.until, shown.tz))
    elif shown.look == "snoozed":
        blocks = prompt_snoozed_blocks(content, f"on {when_label(shown.until, shown.tz)}")
    else:
        blocks = prompt_blocks(content)
    try:
        client.chat_update(
            channel=shown.channel_id,
            ts=shown.message_ts,
            text=prompt_text(content),
            blocks=[b.to_dict() for b in blocks],
        )
    except SlackApiError as error:
        log.warning("prompt %s not redrawn: %s", prompt_id, error.response.get("error"))
        return False
    return True


SAVED_REACTION = "white_check_mark"


def confirm_by_dm(client: WebClient, user_id: str, evidence_id: int, labels: Sequence[str]) -> None:
    client.chat_postMessage(
        channel=user_id,
        text=evidence_saved_text(list(labels)),
        blocks=[b.to_dict() for b in evidence_saved_blocks(evidence_id, list(labels))],
    )


def confirm_thread_reply(
    client: WebClient, channel: str, ts: str, thread_ts: str, evidence_id: int, labels: Sequence[str]
) -> None:
    """A reaction on the reply and a short note in the prompt's thread offering to change the tags."""
    try:
        client.reactions_add(channel=channel, timestamp=ts, name=SAVED_REACTION)
    except SlackApiError as error:
        if error.response.get("error") != "already_reacted":
            raise
    client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        text=evidence_saved_text(list(labels)),
        blocks=[b.to_dict() for b in evidence_saved_blocks(evidence_id, list(labels))],
    )


def refresh_home(client: WebClient, deps: Deps, team_id: str, user_id: str, data: HomeData | None = None) -> None:
    """Republish App Home; a failure here must not turn a saved answer into an error message."""
    try:
        publish_home(client, deps, team_id, user_id, data)
    except SlackApiError as error:
        log.warning("could not refresh App Home for %s: %s", user_id, error.response.get("error"))
