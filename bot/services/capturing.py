"""What each evidence form and `/ladder log` stores, one unit of work per submission.

The rules of storing (idempotent source keys, tags checked against the ladder, prompts answered) are in
bot.services.evidence; these are the use cases the listeners call. `NotSetUp`, `UserFacingError` and
`FieldTooLong` are raised with nothing stored, for the listener to show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.services.actor import Actor
from bot.services.evidence import (
    Captured,
    Ladder,
    capture,
    capture_prompt_reply,
    command_key,
    ladder_of_user,
    modal_key,
    owned_prompt,
    retag,
    saved_message_key,
)
from bot.services.evidence_forms import NotYours, owned_item
from bot.services.home import HomeData, home_in
from bot.services.tag_suggestions import Suggestion, WeakMatch, suggest_for
from frameworks import Library
from storage.models import EvidenceSource
from storage.uow import UnitOfWorkFactory

# What the saved-confirmation says about the text (bot.services.tag_suggestions): a behaviour it fits
# clearly better than its tags, nothing on the ladder matching it well, or nothing to add.
Offer = Suggestion | WeakMatch | None


@dataclass(frozen=True, slots=True)
class Logged:
    captured: Captured
    suggestion: Offer = None  # only when stored now (a re-delivered command was confirmed already)


@dataclass(frozen=True, slots=True)
class Added:
    captured: Captured
    prompt_id: int | None  # the actor's own prompt it answers (a prompt id that is not theirs is ignored)
    suggestion: Offer = None


@dataclass(frozen=True, slots=True)
class SavedMessage:
    captured: Captured
    retagged: bool  # saved before, now with other behaviours
    suggestion: Offer = None


@dataclass(frozen=True, slots=True)
class Retagged:
    captured: Captured
    own_dm: str | None  # the actor's DM with the bot (where their latest prompt went)


@dataclass(frozen=True, slots=True)
class ThreadReply:
    captured: Captured
    home: HomeData | None  # their Home after it, when the reply was stored now (not by an earlier delivery)
    suggestion: Offer = None


def _offer(ladder: Ladder, text: str, captured: Captured) -> Offer:
    """The suggestion for what was stored now, against the tags it got; none for an earlier delivery."""
    return suggest_for(ladder, text, [t.behaviour_id for t in captured.tags]) if captured.created else None


def actor_ladder(uow_factory: UnitOfWorkFactory, library: Library, actor: Actor) -> Ladder:
    """The actor's ladder, or NotSetUp."""
    with uow_factory() as uow:
        return ladder_of_user(uow, library, actor)


def log_text(
    uow_factory: UnitOfWorkFactory, library: Library, actor: Actor, *, text: str, trigger_id: str, now: datetime
) -> Logged:
    """`/ladder log TEXT`: auto-tagged to the best-matching next-milestone behaviour, once per command,
    with a behaviour of the whole ladder it fits clearly better. Raises EmptyEvidence for blank text."""
    with uow_factory() as uow:
        ladder = ladder_of_user(uow, library, actor)
        key = command_key(actor.team_id, trigger_id)
        captured = capture(
            uow, ladder, text=text, source=EvidenceSource.COMMAND, source_key=key, now=now, auto_tag=True
        )
        return Logged(captured, _offer(ladder, text, captured))


def add_from_modal(
    uow_factory: UnitOfWorkFactory,
    library: Library,
    actor: Actor,
    *,
    token: str,
    text: str,
    link: str | None,
    behaviour_ids: Sequence[str],
    prompt_id: int | None,
    now: datetime,
) -> Added:
    """The evidence modal, once per modal token; from a prompt of the actor's, it answers that prompt."""
    with uow_factory() as uow:
        ladder = ladder_of_user(uow, library, actor)
        owned = owned_prompt(uow, actor, prompt_id)
        prompt = owned[1] if owned else None
        captured = capture(
            uow,
            ladder,
            text=text,
            source=EvidenceSource.MODAL,
            source_key=modal_key(token),
            now=now,
            link=link,
            behaviour_ids=behaviour_ids,
            auto_tag=True,
            prompt=prompt,
        )
        return Added(captured, prompt.id if prompt is not None else None, _offer(ladder, text, captured))


def save_message(
    uow_factory: UnitOfWorkFactory,
    library: Library,
    actor: Actor,
    *,
    text: str,
    channel_id: str,
    message_ts: str,
    author_id: str | None,
    behaviour_ids: Sequence[str] = (),
    now: datetime,
) -> SavedMessage:
    """A message saved with "Save as growth evidence", once per person and message. Saved again with
    other behaviours, the one row gets the new tags."""
    with uow_factory() as uow:
        ladder = ladder_of_user(uow, library, actor)
        captured = capture(
            uow,
            ladder,
            text=text,
            source=EvidenceSource.SHORTCUT,
            source_key=saved_message_key(actor.team_id, channel_id, message_ts, actor.slack_user_id),
            now=now,
            behaviour_ids=behaviour_ids,
            auto_tag=True,
            author_slack_id=author_id,
        )
        saved = uow.evidence.get(captured.evidence_id)
        tagged = {tag.behaviour_id for tag in captured.tags}
        if not captured.created and behaviour_ids and saved is not None and set(behaviour_ids) != tagged:
            return SavedMessage(retag(uow, ladder, saved, behaviour_ids, now), retagged=True)
        return SavedMessage(captured, retagged=False, suggestion=_offer(ladder, text, captured))


def retag_evidence(
    uow_factory: UnitOfWorkFactory,
    library: Library,
    actor: Actor,
    *,
    evidence_id: int,
    behaviour_ids: Sequence[str],
    now: datetime,
) -> Retagged | NotYours:
    """New tags for one of the actor's items (on their current ladder)."""
    with uow_factory() as uow:
        owned = owned_item(uow, library, actor, evidence_id)
        if owned is None:
            return NotYours()
        ladder, evidence = owned
        captured = retag(uow, ladder, evidence, behaviour_ids, now)
        latest = uow.prompts.latest_sent_for(ladder.person.id)
        return Retagged(captured, latest.channel_id if latest is not None else None)


def reply_in_thread(
    uow_factory: UnitOfWorkFactory,
    library: Library,
    actor: Actor,
    *,
    channel_id: str,
    ts: str,
    thread_ts: str,
    text: str,
    now: datetime,
) -> ThreadReply | None:
    """A reply in the thread of one of the actor's prompts, stored as evidence for its behaviour, with
    the Home it leaves them; None when the thread is not one of their prompts."""
    with uow_factory() as uow:
        captured = capture_prompt_reply(
            uow, library, actor, channel_id=channel_id, ts=ts, thread_ts=thread_ts, text=text, now=now
        )
        if captured is None:
            return None
        if not captured.created:
            return ThreadReply(captured, None)
        home = home_in(uow, library, actor.team_id, actor.slack_user_id, now)
        ladder = ladder_of_user(uow, library, actor)
        return ThreadReply(captured, home, _offer(ladder, text, captured))
