"""Slack calls the evidence and prompt listeners share: open the evidence / retag modals, record that saved
evidence was confirmed, and refresh App Home after something changed. Redrawing a prompt DM and
confirming saved evidence are in bot.delivery (the tick's sweep sends them too).

Ids that arrive from Slack (prompt id in a button, evidence id, metadata) are always re-checked
against the acting user here or in the services: a value coming back from Slack is never trusted alone.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

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
from bot.deps import Deps
from bot.errors import UserFacingError
from bot.services.actor import Actor
from bot.services.evidence import MAX_SUGGESTIONS, Ladder
from bot.services.evidence_forms import NotYours, new_evidence_form, retag_form, typed_evidence_form
from frameworks import Behaviour

log = logging.getLogger(__name__)

NOT_YOURS = "That prompt or evidence is not available to you."


def new_token() -> str:
    return uuid.uuid4().hex


def evidence_view(
    ladder: Ladder,
    meta: EvidenceModalMeta,
    *,
    prompt_behaviour: Behaviour | None,
    text: str,
    selected: Sequence[Behaviour] | None = None,
    initial_text: str | None = None,
    note: str | None = None,
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
    return evidence_modal(
        ladder.framework,
        groups,
        preselected,
        meta,
        prompt_behaviour=prompt_behaviour,
        initial_text=initial_text,
        note=note,
    )


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
    best = ladder.best_match(text)  # what an untouched submit tags, as `/ladder log` would
    preselected = [best] if best is not None else []
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
