"""What the evidence modals open with: the actor's ladder, the behaviour a prompt asked about, the
behaviours already picked or tagged. A prompt or evidence id from Slack counts only if it is theirs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.services.access import owned_evidence
from bot.services.actor import Actor
from bot.services.evidence import Ladder, ladder_of_user, owned_prompt
from frameworks import Behaviour, Library
from storage.models import Evidence
from storage.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class EvidenceForm:
    ladder: Ladder
    prompt_behaviour: Behaviour | None  # pre-selected: what the prompt asked about
    selected: list[Behaviour] | None = None  # the person's picks so far (None: not typed in yet)


@dataclass(frozen=True, slots=True)
class RetagForm:
    ladder: Ladder
    evidence_id: int
    text: str
    current: list[Behaviour]  # its tags on the actor's current ladder


@dataclass(frozen=True, slots=True)
class NotYours:
    """The prompt or evidence a form names is not the actor's: nothing changes."""


def new_evidence_form(
    uow_factory: UnitOfWorkFactory, library: Library, actor: Actor, prompt_id: int | None
) -> EvidenceForm | NotYours:
    """The evidence modal; from a prompt (`prompt_id`), with its behaviour if it is on their ladder."""
    with uow_factory() as uow:
        ladder = ladder_of_user(uow, library, actor)
        if prompt_id is None:
            return EvidenceForm(ladder, None)
        owned = owned_prompt(uow, actor, prompt_id)
        if owned is None:
            return NotYours()
        prompt = owned[1]
        behaviour = None
        if prompt.framework_id == ladder.framework.id and prompt.behaviour_ids:
            behaviour = ladder.framework.find_behaviour(prompt.behaviour_ids[0])
        return EvidenceForm(ladder, behaviour)


def typed_evidence_form(
    uow_factory: UnitOfWorkFactory,
    library: Library,
    actor: Actor,
    prompt_id: int | None,
    selected_ids: Sequence[str],
) -> EvidenceForm:
    """The evidence modal again as the person types: their ladder, the prompt's behaviour, their picks."""
    with uow_factory() as uow:
        ladder = ladder_of_user(uow, library, actor)
        behaviour = None
        owned = owned_prompt(uow, actor, prompt_id)
        if owned is not None and owned[1].behaviour_ids:
            behaviour = ladder.framework.find_behaviour(owned[1].behaviour_ids[0])
        return EvidenceForm(ladder, behaviour, ladder.behaviours(selected_ids))


def owned_item(uow: UnitOfWork, library: Library, actor: Actor, evidence_id: int) -> tuple[Ladder, Evidence] | None:
    """The actor's ladder and one of their own evidence items; None when the item is not theirs."""
    ladder = ladder_of_user(uow, library, actor)
    evidence = owned_evidence(uow, team_id=actor.team_id, viewer_slack_id=actor.slack_user_id, evidence_id=evidence_id)
    return None if evidence is None else (ladder, evidence)


def retag_form(
    uow_factory: UnitOfWorkFactory, library: Library, actor: Actor, evidence_id: int
) -> RetagForm | NotYours:
    with uow_factory() as uow:
        owned = owned_item(uow, library, actor, evidence_id)
        if owned is None:
            return NotYours()
        ladder, evidence = owned
        current = ladder.behaviours(t.behaviour_id for t in evidence.tags if t.framework_id == ladder.framework.id)
        return RetagForm(ladder, evidence.id, evidence.text, current)
