"""Which story an engineer tells: one that shows the behaviour they were asked about.

Each story in the team file carries the ids of the ladder behaviours it shows. An engineer answers a
prompt with an unused story that shows the prompted behaviour; when none does, they save another story
and tag it with what it shows (never under the prompted behaviour). The order is the seed's shuffle.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.demo.team import Member, Story
from frameworks import Framework
from frameworks.model import Behaviour


class StoryBook:
    """Each engineer's stories, shuffled by the seed; a story is told once (until all have been)."""

    def __init__(self, members: Iterable[Member], rng: random.Random) -> None:
        self._all: dict[str, list[Story]] = {}
        self._unused: dict[str, list[Story]] = {}
        for member in members:
            stories = list(member.stories) or [Story(f"{member.first_name} shipped something worth remembering.")]
            rng.shuffle(stories)
            self._all[member.slack_id] = stories
            self._unused[member.slack_id] = list(stories)

    def _pool(self, member: Member) -> list[Story]:
        unused = self._unused[member.slack_id]
        if not unused:
            unused.extend(self._all[member.slack_id])
        return unused

    def take(self, member: Member, story: Story) -> Story:
        self._pool(member).remove(story)
        return story

    def showing(self, member: Member, behaviour_ids: Iterable[str]) -> Story | None:
        """The next unused story that shows one of `behaviour_ids`, taken; None when none does."""
        wanted = set(behaviour_ids)
        found = next((story for story in self._pool(member) if wanted & set(story.shows)), None)
        return self.take(member, found) if found is not None else None

    def next(self, member: Member) -> Story:
        return self.take(member, self._pool(member)[0])

    def unused(self, member: Member) -> Sequence[Story]:
        return tuple(self._pool(member))


def behaviour_text(framework: Framework | None, behaviour_id: str) -> str:
    if framework is None:
        return behaviour_id
    found: Behaviour | None = next((b for b in framework.behaviours if b.id == behaviour_id), None)
    return found.text if found is not None else behaviour_id


def tag_answers(view: Mapping[str, Any], block_ids: tuple[str, str], behaviour_ids: Sequence[str]) -> dict[str, object]:
    """What to pick in an evidence modal so it is tagged exactly `behaviour_ids`: from the suggestions
    when they list a behaviour, else through the whole-ladder search. `block_ids`: (suggestions, search)."""
    from bot.demo import forms

    suggestions_id, search_id = block_ids
    listed: set[str] = set()
    try:
        element = forms.element_in(view, suggestions_id)
        listed = {str(o.get("value")) for o in forms.options_of(element)}
    except forms.FormError:
        pass
    picked = [b for b in behaviour_ids if b in listed]
    elsewhere = [b for b in behaviour_ids if b not in listed]
    answers: dict[str, object] = {}
    if listed or not elsewhere:
        answers[suggestions_id] = picked
    has_search = any(block_id == search_id for block_id, _ in forms.input_blocks(view))
    if has_search:
        answers[search_id] = elsewhere
    return answers
