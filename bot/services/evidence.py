"""Capturing evidence from anywhere (modal, thread reply, `/ladder log`, message shortcut), idempotently.

Every capture carries a `source_key` naming its Slack origin, so a retried event, a double-clicked submit
or a re-delivered shortcut finds the row already stored instead of adding a second one:

- a message (thread reply):    "msg:{team}:{channel}:{ts}"
- a modal submit:              "modal:{token}"  (token minted when the modal opened, in private_metadata)
- `/ladder log TEXT`:          "cmd:{team}:{trigger_id}"
- a saved message (shortcut):  "save:{team}:{channel}:{ts}:{invoker}"  (two people may each save it)

Text is stored exactly as written; it is escaped only when shown. Too-long text raises `FieldTooLong`
with nothing stored, so the caller can hand the text back to the person.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event

from bot import metrics
from bot.ids import LADDER_COMMAND
from bot.services import backoff
from bot.services.actor import Actor
from bot.services.errors import UserFacingError
from bot.services.prompt_choice import EvidenceStat
from bot.services.text import is_blank
from frameworks import Behaviour, Framework, Library
from frameworks.evidence_rank import CLEAR_SCORE, rank_behaviours
from frameworks.lookups import next_milestone
from frameworks.search import search
from storage.models import Evidence, EvidenceSource, FieldTooLong, Person, Prompt, PromptState
from storage.text import without_controls
from storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

MAX_SUGGESTIONS = 5
MAX_SEARCH_RESULTS = 100  # facts: an options response holds at most 100 options
TYPO_RESULTS = 10  # nearest wordings offered when nothing matches a query word


class EmptyEvidence(UserFacingError):
    def __init__(self) -> None:
        super().__init__("Write what happened first: the evidence text is empty.")


class NotSetUp(UserFacingError):
    def __init__(self) -> None:
        super().__init__("You have not set up growthbot yet. Run `/ladder setup` first, then try again.")


def message_key(team_id: str, channel_id: str, ts: str) -> str:
    return f"msg:{team_id}:{channel_id}:{ts}"


def message_of_key(source_key: str | None) -> tuple[str, str] | None:
    """(channel, ts) back from a `message_key`; None for any other key."""
    parts = (source_key or "").split(":")
    return (parts[2], parts[3]) if len(parts) == 4 and parts[0] == "msg" else None


def modal_key(token: str) -> str:
    return f"modal:{token}"


def command_key(team_id: str, trigger_id: str) -> str:
    return f"cmd:{team_id}:{trigger_id}"


def saved_message_key(team_id: str, channel_id: str, ts: str, invoker_id: str) -> str:
    return f"save:{team_id}:{channel_id}:{ts}:{invoker_id}"


@dataclass(frozen=True, slots=True)
class Ladder:
    """A person's ladder as the capture flows need it."""

    person: Person
    framework: Framework
    levels: Mapping[str, str]
    track: str | None
    milestone: tuple[Behaviour, ...]  # next-milestone behaviours, across areas

    @property
    def applicable(self) -> tuple[Behaviour, ...]:
        return tuple(b for b in self.framework.behaviours if b.applies_to(self.track))

    @property
    def current(self) -> tuple[Behaviour, ...]:
        """The behaviours of the person's current level, area by area."""
        return tuple(b for b in self.applicable if self.levels.get(b.area_id) == b.level_id)

    def behaviours(self, ids: Iterable[str]) -> list[Behaviour]:
        """The ladder behaviours named by `ids` (values that came back from Slack: unknown ones dropped)."""
        found = []
        for behaviour_id in dict.fromkeys(ids):
            behaviour = self.framework.find_behaviour(behaviour_id)
            if behaviour is not None:
                found.append(behaviour)
        return found

    def suggestions(self, text: str, limit: int = MAX_SUGGESTIONS) -> list[Behaviour]:
        """Behaviours ranked against `text` by the evidence ranker (`frameworks.evidence_rank`), the next
        milestone's first; when it lists nothing (top of the ladder, or an empty next level), the person's
        current level's, as the weekly prompt does; failing that, the whole ladder. When fewer than `limit`
        of those share a word with the text, the best matches elsewhere on the ladder (on their track)
        follow, since what someone did often shows a behaviour of another level or area. Behaviours with
        nothing in common with the text keep the pool's order after the matches."""
        pool = self.pool
        if is_blank(text) or not pool:
            return list(pool[:limit])
        ranked = rank_behaviours(self.framework, text, pool)
        matched = [r.behaviour for r in ranked if r.score > 0]
        if len(matched) < limit:
            in_pool = {b.id for b in pool}
            elsewhere = rank_behaviours(self.framework, text, (b for b in self.applicable if b.id not in in_pool))
            matched += [r.behaviour for r in elsewhere if r.score > 0][: limit - len(matched)]
        return (matched + [r.behaviour for r in ranked if r.score <= 0])[:limit]

    @property
    def pool(self) -> tuple[Behaviour, ...]:
        """Where auto-tagging and the modal's suggestions look first (see `suggestions`)."""
        return self.milestone or self.current or self.applicable

    def search(self, library: Library, query: str, limit: int = MAX_SEARCH_RESULTS) -> list[Behaviour]:
        """Any behaviour of the person's ladder (on their track) for the evidence modal's search, best first.

        A query ranks by wording (BM25 over the ladder, prefixes count: "postm" finds post-mortems); when
        no word matches (a typo) the closest wordings come instead. No query: the next milestone first,
        then the nearest levels."""
        applicable = self.applicable
        query = without_controls(query)  # the one rule for what is stored applies to what is looked up
        if not query.strip():
            return self._nearest_first(applicable)[:limit]
        mine = {b.id for b in applicable}
        hits = search(library, query, limit=len(self.framework.behaviours), framework_id=self.framework.id)
        found = [hit.behaviour for hit in hits if hit.behaviour.id in mine]
        if not found:  # the evidence ranker reads misspelt words as the closest ladder word
            typos = rank_behaviours(self.framework, query, applicable, limit=TYPO_RESULTS)
            found = [r.behaviour for r in typos if r.score > 0]
        return found[:limit]

    def _nearest_first(self, behaviours: Sequence[Behaviour]) -> list[Behaviour]:
        framework = self.framework
        milestone = {b.id for b in self.milestone}

        def rank(behaviour: Behaviour) -> tuple[bool, int, bool, int]:
            current = self.levels.get(behaviour.area_id)
            gap = framework.level_index(behaviour.level_id) - (framework.level_index(current) if current else -1)
            # Next level up first, then the current level, then further up, then further down.
            return (behaviour.id not in milestone, abs(gap - 1), gap < 1, framework.level_index(behaviour.level_id))

        return sorted(behaviours, key=rank)

    def best_match(self, text: str) -> Behaviour | None:
        """The auto-tag: the best match among `pool`; when nothing there has a word in common with the
        text, the whole ladder's best if it matches clearly (`evidence_rank.CLEAR_SCORE`); else None: an
        arbitrary tag would be worse than none (the confirmation says so and offers "Change tag")."""
        if is_blank(text):
            return None
        ranked = rank_behaviours(self.framework, text, self.pool, limit=1)
        if ranked and ranked[0].score > 0:
            return ranked[0].behaviour
        ranked = rank_behaviours(self.framework, text, self.applicable, limit=1)
        return ranked[0].behaviour if ranked and ranked[0].score >= CLEAR_SCORE else None


def ladder_for(uow: UnitOfWork, library: Library, person: Person) -> Ladder | None:
    """None when the person has no placement or their ladder is no longer loaded."""
    placement = uow.placements.current_for(person.id)
    if placement is None:
        return None
    framework = library.get(placement.framework_id)
    if framework is None:
        return None
    levels = {area: str(level) for area, level in (placement.levels or {}).items() if framework.has_level(str(level))}
    track = placement.track if placement.track and framework.has_track(placement.track) else None
    milestone = next_milestone(framework, levels, track).behaviours
    return Ladder(person, framework, levels, track, tuple(milestone))


def ladder_of_user(uow: UnitOfWork, library: Library, actor: Actor) -> Ladder:
    """The acting person's ladder, or NotSetUp (a message they can act on)."""
    person = actor.person(uow)
    ladder = ladder_for(uow, library, person) if person is not None else None
    if ladder is None:
        raise NotSetUp()
    return ladder


@dataclass(frozen=True, slots=True)
class Tag:
    behaviour_id: str
    label: str  # "Area · Level: behaviour text" from the snapshot


@dataclass(frozen=True, slots=True)
class Captured:
    evidence_id: int
    created: bool  # False: this source was already stored (a retry or a double click)
    tags: tuple[Tag, ...]
    prompt_id: int | None
    auto_tagged: bool = False


def behaviour_label(framework: Framework, behaviour: Behaviour) -> str:
    """ "Area · Level: behaviour text", as tags are shown."""
    area = framework.find_area(behaviour.area_id)
    level = framework.level(behaviour.level_id).name if framework.has_level(behaviour.level_id) else behaviour.level_id
    return f"{area.name if area else behaviour.area_id} · {level}: {behaviour.text}"


def tags_of(evidence: Evidence, framework: Framework | None = None) -> tuple[Tag, ...]:
    tags = []
    for tag in evidence.tags:
        area_name, level_name = tag.area_id, tag.level_id
        if framework is not None and framework.id == tag.framework_id:
            area = framework.find_area(tag.area_id)
            area_name = area.name if area else tag.area_id
            level_name = framework.level(tag.level_id).name if framework.has_level(tag.level_id) else tag.level_id
        tags.append(Tag(tag.behaviour_id, f"{area_name} · {level_name}: {tag.behaviour_text}"))
    return tuple(tags)


def capture(
    uow: UnitOfWork,
    ladder: Ladder,
    *,
    text: str,
    source: EvidenceSource,
    source_key: str,
    now: datetime,
    link: str | None = None,
    behaviour_ids: Sequence[str] = (),
    auto_tag: bool = False,
    prompt: Prompt | None = None,
    author_slack_id: str | None = None,
) -> Captured:
    """Store one piece of evidence for `ladder.person`, tagged, unless `source_key` is already stored.

    `behaviour_ids` are checked against the ladder; with none left and `auto_tag`, the best match for
    the text is used. A `prompt` (already checked to be the person's) is marked answered.
    Raises EmptyEvidence, or FieldTooLong with nothing stored.
    """
    if is_blank(text):
        raise EmptyEvidence()
    person = ladder.person
    if prompt is not None and prompt.person_id != person.id:
        raise ValueError("prompt belongs to someone else")
    evidence, created = uow.evidence.add_once(
        person_id=person.id,
        text=text,
        source=source,
        source_key=source_key,
        link=link,
        prompt_id=prompt.id if prompt is not None else None,
        author_slack_id=author_slack_id,
        now=now,
    )
    if not created:
        return Captured(evidence.id, False, tags_of(evidence, ladder.framework), evidence.prompt_id)
    behaviours = ladder.behaviours(behaviour_ids)
    auto_tagged = False
    if not behaviours and auto_tag:
        best = ladder.best_match(text)
        if best is not None:
            behaviours, auto_tagged = [best], True
    for behaviour in behaviours:
        uow.evidence.tag_behaviour(evidence, ladder.framework, behaviour, now=now)
    if prompt is not None:
        answer_prompt(uow, prompt, now)
    # Counted once the unit of work commits: a capture rolled back (the database failed) is not stored.
    event.listen(uow.session, "after_commit", lambda _session: metrics.record_evidence(source.value), once=True)
    return Captured(evidence.id, True, tags_of(evidence, ladder.framework), evidence.prompt_id, auto_tagged)


# A reply arriving for a prompt in one of these states still counts as the answer to it.
ANSWERABLE = (PromptState.SENT, PromptState.ANSWERED, PromptState.SKIPPED, PromptState.EXPIRED)


def capture_prompt_reply(
    uow: UnitOfWork,
    library: Library,
    actor: Actor,
    *,
    channel_id: str,
    ts: str,
    thread_ts: str,
    text: str,
    now: datetime,
) -> Captured | None:
    """A reply in the thread of one of the person's prompts, stored as evidence for that prompt's
    behaviour; None when the thread is not one of their prompts (or one still being sent).

    Raises UserFacingError when their ladder is gone, and what `capture` raises."""
    prompt = uow.prompts.find_by_message(channel_id, thread_ts)
    person = actor.person(uow)
    if prompt is None or person is None or prompt.person_id != person.id or prompt.state not in ANSWERABLE:
        return None
    ladder = ladder_for(uow, library, person)
    if ladder is None:
        raise UserFacingError(f"Your ladder is not set up any more; run `{LADDER_COMMAND} setup` first.")
    return capture(
        uow,
        ladder,
        text=text,
        source=EvidenceSource.PROMPT_REPLY,
        source_key=message_key(actor.team_id, channel_id, ts),
        now=now,
        behaviour_ids=prompt.behaviour_ids,
        auto_tag=True,
        prompt=prompt,
    )


def answer_prompt(uow: UnitOfWork, prompt: Prompt, now: datetime) -> None:
    """Evidence arrived for this prompt: answered, and its reminder is no longer needed."""
    if prompt.state in (PromptState.SENT, PromptState.SKIPPED, PromptState.ANSWERED):
        uow.prompts.mark_answered(prompt, now)
        uow.prompts.set_reminder(prompt, None)
        backoff.restore_on_answer(uow, prompt.person_id, now)


def retag(uow: UnitOfWork, ladder: Ladder, evidence: Evidence, behaviour_ids: Sequence[str], now: datetime) -> Captured:
    """Replace the evidence's tags on the person's current ladder with `behaviour_ids` (unknown ids dropped).

    Tags on other ladders (from before a ladder change) are kept: they are history.
    """
    if evidence.person_id != ladder.person.id:
        raise ValueError("evidence belongs to someone else")
    wanted = ladder.behaviours(behaviour_ids)
    wanted_ids = {b.id for b in wanted}
    for tag in list(evidence.tags):
        if tag.framework_id == ladder.framework.id and tag.behaviour_id not in wanted_ids:
            uow.evidence.untag(evidence, tag.framework_id, tag.behaviour_id)
    for behaviour in wanted:
        uow.evidence.tag_behaviour(evidence, ladder.framework, behaviour, now=now)
    return Captured(evidence.id, False, tags_of(evidence, ladder.framework), evidence.prompt_id)


def store_permalink(uow_factory: UnitOfWorkFactory, evidence_id: int, permalink: str) -> None:
    """A saved message's permalink, found after saving; evidence without it (or with a link already,
    or a permalink too long for the column) is still evidence."""
    with uow_factory() as uow:
        evidence = uow.evidence.get(evidence_id)
        if evidence is not None and evidence.link is None:
            try:
                uow.evidence.set_link(evidence, permalink)
            except FieldTooLong:
                log.warning("permalink too long to store for evidence %s", evidence_id)


def evidence_stats(
    uow: UnitOfWork, person_id: int, framework_id: str, behaviour_ids: Iterable[str]
) -> dict[str, EvidenceStat]:
    coverage = uow.evidence.coverage(person_id, framework_id, behaviour_ids)
    return {behaviour_id: EvidenceStat(c.count, c.last_at) for behaviour_id, c in coverage.items()}


def owned_prompt(uow: UnitOfWork, actor: Actor, prompt_id: int | None) -> tuple[Person, Prompt] | None:
    """The prompt if it belongs to the acting person (a button's value is never trusted on its own)."""
    if prompt_id is None:
        return None
    person = actor.person(uow)
    prompt = uow.prompts.get(prompt_id) if person is not None else None
    if person is None or prompt is None or prompt.person_id != person.id:
        return None
    return person, prompt


def parse_id(value: object) -> int | None:
    """A numeric id from a button value or metadata; None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value > 0 else None
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value) or None
    return None
