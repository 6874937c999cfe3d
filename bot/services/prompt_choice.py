"""Which behaviour the next prompt asks about. Pure and deterministic for a given history and seed.

Ranking, most important first:
1. never the behaviour asked last time (unless it is the only candidate: then nothing is asked);
2. one of the person's focus behaviours that lacks recent evidence (the caller says which:
   bot.services.focus.wanting_evidence);
3. not asked in the last few prompts;
4. no evidence yet before some evidence;
5. the area asked longest ago (rotation across areas);
6. the least evidence, then the oldest latest evidence (so a fully covered ladder keeps rotating);
7. asked longest ago;
8. a seeded tie-break, stable across Python processes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from frameworks import Behaviour, Framework

# Prompts within this many of the latest count as "asked recently".
RECENT_WINDOW = 3
_NEVER = 1_000_000
_DAWN = datetime.min


@dataclass(frozen=True, slots=True)
class EvidenceStat:
    """A person's evidence for one behaviour: how many items and when the latest was recorded."""

    count: int = 0
    last_at: datetime | None = None


def _tie_break(seed: int | str, behaviour_id: str) -> str:
    return hashlib.blake2b(f"{seed}\x00{behaviour_id}".encode(), digest_size=8).hexdigest()


def _since(history: Sequence[str | None], value: str) -> int:
    """How many prompts ago (1 = the last one) `value` was asked; _NEVER if never."""
    for age, asked in enumerate(reversed(history), start=1):
        if asked == value:
            return age
    return _NEVER


def pick_prompt_behaviour(
    candidates: Sequence[Behaviour],
    history: Sequence[str | None],
    evidence_stats: Mapping[str, EvidenceStat],
    seed: int | str,
    focus: Collection[str] = frozenset(),
) -> Behaviour | None:
    """The behaviour to ask about next, or None when there is nothing that may be asked.

    candidates: the person's next-milestone behaviours, across areas.
    history: behaviour ids of the person's past prompts, oldest first (None for a prompt without one).
    evidence_stats: per behaviour id; missing ids have no evidence.
    seed: breaks ties; pass something stable per person (e.g. their id) for reproducible choices.
    focus: ids of focus behaviours to prefer (those still wanting evidence).
    """
    unique = list({b.id: b for b in candidates}.values())
    last = next((asked for asked in reversed(history) if asked is not None), None)
    eligible = [b for b in unique if b.id != last]
    if not eligible:
        return None
    area_of = {b.id: b.area_id for b in unique}
    # Areas of past prompts, as far as today's candidates know them.
    area_history = [area_of.get(asked) if asked else None for asked in history]

    def rank(behaviour: Behaviour) -> tuple[object, ...]:
        stat = evidence_stats.get(behaviour.id, EvidenceStat())
        asked_ago = _since(history, behaviour.id)
        area_ago = _since(area_history, behaviour.area_id)
        return (
            behaviour.id not in focus,
            asked_ago <= RECENT_WINDOW,
            stat.count > 0,
            -area_ago,
            stat.count,
            stat.last_at or _DAWN,
            -asked_ago,
            _tie_break(seed, behaviour.id),
        )

    return min(eligible, key=rank)


def fallback_note(framework: Framework, behaviour: Behaviour, current_level_id: str | None) -> str | None:
    """Why a behaviour from the person's own level (not the next one) is being asked, or None when it is
    from a level above theirs. The tick falls back to current-level behaviours when every next cell is
    empty (top of the ladder, or a level the ladder does not fill in yet)."""
    if current_level_id is None or not framework.has_level(current_level_id):
        return None
    if not framework.has_level(behaviour.level_id):
        return None
    mine, theirs = framework.level_index(current_level_id), framework.level_index(behaviour.level_id)
    if theirs > mine:
        return None
    current = framework.level(current_level_id).name
    if theirs < mine:
        return f"From {framework.level(behaviour.level_id).name}, below your current level ({current})"
    upcoming = framework.next_level(current_level_id)
    if upcoming is None:
        return f"You are at the top of this ladder ({current}): keep showing this"
    return f"From your current level ({current}): {upcoming.name} lists no behaviours yet, so keep showing this one"


FOCUS_WHY = "One of your focus behaviours"


def why_line(
    behaviour: Behaviour,
    stat: EvidenceStat | None,
    level_name: str,
    area_name: str,
    fallback: str | None = None,
    *,
    focused: bool = False,
) -> str:
    """One line on why this behaviour was picked, for the prompt DM. `fallback` (from `fallback_note`)
    replaces "part of reaching" for a behaviour that is not from the person's next level; `focused`: it
    is one of the person's focus behaviours (the prompt prefers them), and the line says so first."""
    if fallback is not None:
        if stat is None or stat.count == 0:
            line = f"{fallback}. You have no evidence for it yet."
        else:
            items = "item" if stat.count == 1 else "items"
            line = f"{fallback}. You have {stat.count} {items} of evidence so far."
    elif stat is None or stat.count == 0:
        line = f"It is part of reaching {level_name} in {area_name}, and you have no evidence for it yet."
    else:
        items = "item" if stat.count == 1 else "items"
        line = f"It is part of reaching {level_name} in {area_name}; you have {stat.count} {items} of evidence so far."
    return f"{FOCUS_WHY}. {line}" if focused else line
