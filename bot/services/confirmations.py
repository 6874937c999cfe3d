"""The tick's catch-up for evidence that was saved but never confirmed: which items, and taking each once.

A capture commits the evidence first and then shows the person it was saved (a reaction and a note in
the prompt's thread, the prompt DM redrawn as answered, or a DM). Slack has already had its ack by then,
so if the process stops in between, no retry comes and the person would see nothing and likely write
it again. Every listener records `confirmed_at` once the person has seen the confirmation; the sweep
(bot.delivery.confirmations) confirms what is still unconfirmed a couple of minutes later. Taking a row
is a conditional UPDATE, so of several instances ticking, exactly one confirms it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.deps import Deps
from bot.services.evidence import ladder_for, message_of_key, tags_of
from bot.services.tag_suggestions import Suggestion, WeakMatch, suggest_for
from storage.models import EvidenceSource

CONFIRM_AFTER = timedelta(minutes=2)  # a listener still working on it is long done by then
CONFIRM_WITHIN = timedelta(days=1)  # a confirmation later than this would only confuse
BATCH = 100


@dataclass(frozen=True, slots=True)
class ThreadReply:
    """The person's reply in the prompt's thread that saved the evidence."""

    channel: str
    ts: str
    thread_ts: str  # the prompt DM's own ts


@dataclass(frozen=True, slots=True)
class Pending:
    """Evidence to confirm: in the thread it was replied in, or else by DM; then its prompt redrawn."""

    evidence_id: int
    user_id: str
    labels: tuple[str, ...]
    thread_reply: ThreadReply | None
    prompt_id: int | None
    suggestion: Suggestion | WeakMatch | None = None  # what the listener would have offered with it


def _thread_reply(source: EvidenceSource, source_key: str | None, prompt_ts: str | None) -> ThreadReply | None:
    reply = message_of_key(source_key) if source is EvidenceSource.PROMPT_REPLY else None
    if reply is None or not prompt_ts:
        return None
    return ThreadReply(reply[0], reply[1], prompt_ts)


def pending_confirmations(deps: Deps, now: datetime) -> list[Pending]:
    """Evidence saved between a day and a couple of minutes ago and never confirmed, whose person is
    still there (for anyone gone it is marked confirmed: nobody is left to tell)."""
    with deps.uow() as uow:
        rows = uow.evidence.unconfirmed(now - CONFIRM_WITHIN, now - CONFIRM_AFTER, BATCH)
        people = uow.people.get_many([row.person_id for row in rows])
        found = []
        for row in rows:
            person = people.get(row.person_id)
            if person is None or not person.active:
                uow.evidence.mark_confirmed(row.id, now)  # nobody left to tell
                continue
            framework = deps.library.get(row.tags[0].framework_id) if row.tags else None
            prompt = uow.prompts.get(row.prompt_id) if row.prompt_id is not None else None
            ladder = ladder_for(uow, deps.library, person)
            suggestion = None
            if ladder is not None:
                tagged = [t.behaviour_id for t in row.tags if t.framework_id == ladder.framework.id]
                suggestion = suggest_for(ladder, row.text, tagged)
            found.append(
                Pending(
                    row.id,
                    person.slack_user_id,
                    tuple(tag.label for tag in tags_of(row, framework)),
                    _thread_reply(row.source, row.source_key, prompt.message_ts if prompt else None),
                    row.prompt_id,
                    suggestion,
                )
            )
        return found


def mark_confirmed(deps: Deps, evidence_id: int, now: datetime) -> bool:
    """The person has been (or is about to be) shown the evidence was saved; False when that was
    already recorded (by the listener, or another instance took it first)."""
    with deps.uow() as uow:
        return uow.evidence.mark_confirmed(evidence_id, now)
