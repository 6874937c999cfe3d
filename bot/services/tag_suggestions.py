"""When the text of a piece of evidence fits another behaviour of the person's ladder clearly better than
the one it was tagged with (the prompted one, or the one picked), and the one tap that moves the tag.

"Clearly better" is `frameworks.evidence_rank.clearly_better` (a score margin measured on the labelled
set, bench/ranking.py --margins). Moving the tag goes through `bot.services.evidence.retag`, the one home
of tag changes; the behaviour named by a button is re-checked against the person's ladder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.services.actor import Actor
from bot.services.evidence import Captured, Ladder, behaviour_label, retag, tags_of
from bot.services.evidence_forms import NotYours, owned_item
from bot.services.text import is_blank
from frameworks import Library
from frameworks.evidence_rank import CLEAR_SCORE, clearly_better, rank_behaviours
from storage.uow import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Another behaviour the text fits clearly better than its tags."""

    behaviour_id: str
    label: str
    score: float
    tagged_score: float


@dataclass(frozen=True, slots=True)
class WeakMatch:
    """Nothing on the ladder matches the text well: it keeps the tag it was given."""


def suggest_for(ladder: Ladder, text: str, tagged_ids: Sequence[str]) -> Suggestion | WeakMatch | None:
    """A better behaviour for `text` than its tags, among the person's whole ladder (on their track).

    The one rule every capture path (thread reply, `/ladder log`, the modal, the shortcut, the tick's late
    confirmation) shows on its saved-confirmation. Untagged evidence gets the clear best match, if any."""
    if is_blank(text):
        return None
    ranked = rank_behaviours(ladder.framework, text, ladder.applicable)
    if not ranked or ranked[0].score < CLEAR_SCORE:
        return WeakMatch()
    best = ranked[0]
    if best.behaviour.id in tagged_ids:
        return None
    scores = {r.behaviour.id: r.score for r in ranked}
    tagged_score = max((scores.get(b, 0.0) for b in tagged_ids), default=0.0)
    if not clearly_better(best, tagged_score):
        return None
    return Suggestion(best.behaviour.id, behaviour_label(ladder.framework, best.behaviour), best.score, tagged_score)


def apply_suggestion(
    uow_factory: UnitOfWorkFactory,
    library: Library,
    actor: Actor,
    *,
    evidence_id: int,
    behaviour_id: str,
    keep_current: bool,
    now: datetime,
) -> Captured | NotYours:
    """ "Tag as … instead" (`keep_current` False) or "Tag both" on one of the actor's items; a behaviour
    that is not on their ladder (on their track) is refused like someone else's item."""
    with uow_factory() as uow:
        owned = owned_item(uow, library, actor, evidence_id)
        if owned is None:
            return NotYours()
        ladder, evidence = owned
        if behaviour_id not in {b.id for b in ladder.applicable}:
            return NotYours()
        current = [t.behaviour_id for t in evidence.tags if t.framework_id == ladder.framework.id]
        wanted = [*current, behaviour_id] if keep_current else [behaviour_id]
        return retag(uow, ladder, evidence, wanted, now)


def keep_tags(
    uow_factory: UnitOfWorkFactory, library: Library, actor: Actor, *, evidence_id: int
) -> Captured | NotYours:
    """ "Keep": nothing changes; the item's tags, to redraw the confirmation without the suggestion."""
    with uow_factory() as uow:
        owned = owned_item(uow, library, actor, evidence_id)
        if owned is None:
            return NotYours()
        ladder, evidence = owned
        return Captured(evidence.id, False, tags_of(evidence, ladder.framework), evidence.prompt_id)
