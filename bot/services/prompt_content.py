"""What a prompt DM says and shows: plain values built from the prompt row and today's ladder.

bot.blocks.prompt renders them; the tick, the reminders and the listeners that redraw a prompt all
start from here."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.services import focus
from bot.services.prompt_choice import EvidenceStat, fallback_note, why_line
from bot.services.retired import removed_levels, removed_levels_note, removed_track
from frameworks import Library
from storage.models import Placement, Prompt, PromptState
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class PromptContent:
    """What a prompt DM says: one behaviour, where it sits on the ladder, and why it was picked."""

    prompt_id: int
    behaviour_text: str
    area_name: str
    level_name: str
    why: str
    qualifier: str | None = None
    # The behaviour is from the person's own level, not the next one (see prompt_choice.fallback_note):
    # the DM must not say "towards" that level.
    fallback: bool = False
    # The person is placed on levels this ladder no longer has (bot.services.retired): said in the DM.
    removed_note: str | None = None


def prompt_content(
    library: Library,
    prompt: Prompt,
    stat: EvidenceStat | None,
    placement: Placement | None = None,
    focus: Collection[str] = frozenset(),
) -> PromptContent | None:
    """What the prompt DM says, rebuilt from the prompt row and today's ladder (None if it is gone).

    `placement` (the person's current one) tells a next-milestone behaviour from a fallback to their
    own level, so the DM never says "towards" the level they are already at. `focus`: the person's
    focus behaviour ids (bot.services.focus), so the why line says when the prompt asks about one."""
    framework = library.get(prompt.framework_id)
    behaviour_id = prompt.behaviour_ids[0] if prompt.behaviour_ids else None
    behaviour = framework.find_behaviour(behaviour_id) if framework and behaviour_id else None
    if framework is None or behaviour is None:
        return None
    area = framework.find_area(behaviour.area_id)
    area_name = area.name if area else behaviour.area_id
    level = framework.level(behaviour.level_id).name if framework.has_level(behaviour.level_id) else behaviour.level_id
    current = None
    removed = None
    if placement is not None and placement.framework_id == framework.id:
        current = (placement.levels or {}).get(behaviour.area_id)
        removed = removed_levels_note(
            removed_levels(framework, placement.levels), track=removed_track(framework, placement.track)
        )
    fallback = fallback_note(framework, behaviour, str(current) if current is not None else None)
    return PromptContent(
        prompt_id=prompt.id,
        behaviour_text=behaviour.text,
        area_name=area_name,
        level_name=level,
        why=why_line(behaviour, stat, level, area_name, fallback, focused=behaviour.id in focus),
        qualifier=behaviour.qualifier,
        fallback=fallback is not None,
        removed_note=removed,
    )


def content_for(uow: UnitOfWork, library: Library, prompt: Prompt) -> PromptContent | None:
    """`prompt_content` with the person's current evidence count for the behaviour, their placement and
    their focus."""
    stat = None
    if prompt.behaviour_ids:
        coverage = uow.evidence.coverage(prompt.person_id, prompt.framework_id, prompt.behaviour_ids[:1])
        found = coverage.get(prompt.behaviour_ids[0])
        stat = EvidenceStat(found.count, found.last_at) if found else None
    placement = uow.placements.current_for(prompt.person_id)
    placements = {prompt.person_id: placement} if placement is not None else {}
    focused = focus.prompt_focus_for_many(uow, library, placements).get(prompt.person_id, frozenset())
    return prompt_content(library, prompt, stat, placement, focused)


PromptLook = Literal["answered", "skipped", "closed", "paused", "snoozed", "live"]


@dataclass(frozen=True, slots=True)
class ShownPrompt:
    """What a prompt DM should show now, from the prompt's state in the database."""

    channel_id: str
    message_ts: str
    content: PromptContent
    look: PromptLook
    answers: int = 0
    until: datetime | None = None  # when a pause or a snooze ends
    tz: str | None = None


def shown_prompt(uow: UnitOfWork, library: Library, prompt_id: int, *, snoozed: bool = False) -> ShownPrompt | None:
    """How to redraw the prompt's DM; None when it has none (never sent) or its behaviour is gone.
    `snoozed`: the person just snoozed it, so a live prompt says until when."""
    prompt = uow.prompts.get(prompt_id)
    if prompt is None or not prompt.channel_id or not prompt.message_ts:
        return None
    content = content_for(uow, library, prompt)
    if content is None:
        return None
    person = uow.people.get(prompt.person_id)
    tz = person.tz if person else None
    schedule = uow.schedules.get_for(prompt.person_id)
    where = {"channel_id": prompt.channel_id, "message_ts": prompt.message_ts, "content": content, "tz": tz}
    if prompt.state is PromptState.ANSWERED:
        return ShownPrompt(**where, look="answered", answers=max(uow.evidence.count_for_prompt(prompt.id), 1))
    if prompt.state is PromptState.SKIPPED:
        return ShownPrompt(**where, look="skipped")
    if prompt.state is not PromptState.SENT:
        return ShownPrompt(**where, look="closed")
    if schedule is not None and schedule.paused:
        return ShownPrompt(**where, look="paused", until=schedule.paused_until)
    if snoozed and prompt.next_attempt_at is not None:
        return ShownPrompt(**where, look="snoozed", until=prompt.next_attempt_at)
    return ShownPrompt(**where, look="live")
