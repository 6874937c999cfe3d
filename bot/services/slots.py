"""Weekly slots (a weekday, a wall-clock time, a cadence): the weekday names, reading them from what
people type, pick or import, and the words each surface describes them with.

The one home for these rules: settings, org import, the demo team file, the setup and 1:1 modals and
the `/ladder 1on1` and `/ladder admin schedule` commands all read slots here. Plain text, no Slack:
`str(SlotError)` is safe mrkdwn (see bot.services.errors.WordedError).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time
from typing import Protocol

from bot.services.errors import WordedError
from bot.services.text import shorten
from storage.models import Cadence

QUOTED_MAX = 60  # characters of a mistyped word quoted back in an error

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SLOT_FORM = "WEEKDAY HH:MM [weekly|fortnightly]"
# Two letters already tell every weekday apart (mo tu we th fr sa su).
_WEEKDAY_PREFIX_MIN = 2
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
_CADENCE_WORDS = {
    "weekly": Cadence.WEEKLY,
    "week": Cadence.WEEKLY,
    "every-week": Cadence.WEEKLY,
    "fortnightly": Cadence.FORTNIGHTLY,
    "biweekly": Cadence.FORTNIGHTLY,
    "bi-weekly": Cadence.FORTNIGHTLY,
    "fortnight": Cadence.FORTNIGHTLY,
}


class SlotError(WordedError, ValueError):
    """A day, time or cadence that cannot be read; the message says what to type instead.

    `typed` is the word as it was given (None when words are missing) and `problem` the rest of the
    message. `str(error)` is safe mrkdwn: the typed word is shortened here and escaped by WordedError,
    so a mistyped `<!channel>` cannot ping the channel.
    """

    def __init__(self, problem: str, typed: str | None = None) -> None:
        if typed is None:
            super().__init__(problem)
        else:
            super().__init__("“{typed}” " + problem, typed=shorten(typed, QUOTED_MAX))
        self.problem = problem
        self.typed = typed


@dataclass(frozen=True, slots=True)
class Slot:
    weekday: int  # 0 = Monday
    local_time: time
    cadence: Cadence = Cadence.WEEKLY


class WeeklySlot(Protocol):
    """Anything that has a slot: `Slot`, a prompt schedule, a 1:1, their summaries."""

    @property
    def weekday(self) -> int: ...

    @property
    def local_time(self) -> time: ...

    @property
    def cadence(self) -> Cadence | str: ...


# --- Reading ----------------------------------------------------------------------------------------


def parse_weekday(text: str) -> int:
    """`Tuesday`, `tue`, `TU` -> 1 (0 = Monday)."""
    lowered = text.strip().lower()
    if len(lowered) >= _WEEKDAY_PREFIX_MIN:
        for index, name in enumerate(WEEKDAY_NAMES):
            if name.lower().startswith(lowered):
                return index
    raise SlotError("is not a weekday; use e.g. Tuesday or tue.", text)


def parse_time(text: str) -> time:
    """`14:30`, `9:05`, `9`, `2pm`, `12am` -> a wall-clock time."""
    match = _TIME.match(text.strip())
    if match is None:
        raise SlotError("is not a time; use 24-hour HH:MM such as 14:30.", text)
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise SlotError("is not a time; use 24-hour HH:MM such as 14:30.", text)
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise SlotError("is not a time; use 24-hour HH:MM such as 14:30.", text)
    return time(hour, minute)


def parse_cadence(text: str) -> Cadence:
    """`weekly` / `fortnightly` (or `biweekly`, `fortnight`, ...) -> the cadence."""
    cadence = _CADENCE_WORDS.get(text.strip().lower())
    if cadence is None:
        raise SlotError("is not a cadence; use weekly or fortnightly.", text)
    return cadence


def parse_slot(words: Sequence[str]) -> Slot:
    """`["tue", "14:30", "fortnightly"]` -> Slot(1, 14:30, fortnightly); the cadence defaults to weekly."""
    if len(words) < 2:
        raise SlotError("Give a weekday and a time, e.g. `Tuesday 14:30` (optionally `fortnightly`).")
    cadence = parse_cadence(words[2]) if len(words) >= 3 else Cadence.WEEKLY
    if len(words) > 3:
        raise SlotError(f"Too many words: the form is `{SLOT_FORM}`.")
    return Slot(parse_weekday(words[0]), parse_time(words[1]), cadence)


def weekday_or_none(text: str | None) -> int | None:
    """`parse_weekday` for a form or file that reports a bad value its own way: None when unreadable."""
    try:
        return parse_weekday(text) if text is not None else None
    except SlotError:
        return None


def time_or_none(text: str | None) -> time | None:
    """`parse_time` for a form or file that reports a bad value its own way: None when unreadable."""
    try:
        return parse_time(text) if text is not None else None
    except SlotError:
        return None


def weekday_from_number(text: str | None) -> int | None:
    """A weekday carried as its number (`"0"` = Monday, as the day pickers' options do); None otherwise."""
    if text is None or not text.isdigit() or int(text) >= len(WEEKDAY_NAMES):
        return None
    return int(text)


# --- Describing -------------------------------------------------------------------------------------


def day_at_time(weekday: int, local_time: time) -> str:
    """`Wednesday at 09:30`."""
    return f"{WEEKDAY_NAMES[weekday]} at {local_time:%H:%M}"


def day_and_time(weekday: int, local_time: time) -> str:
    """`Wednesday 09:30` (the org import's report)."""
    return f"{WEEKDAY_NAMES[weekday]} {local_time:%H:%M}"


def every(slot: WeeklySlot, *, capitalised: bool = False) -> str:
    """`every Wednesday at 09:30` / `every other Wednesday at 09:30` (prompt schedules)."""
    words = {Cadence.FORTNIGHTLY: "every other", Cadence.MONTHLY: "every fourth"}
    every_word = words.get(Cadence(slot.cadence), "every")
    if capitalised:
        every_word = every_word.capitalize()
    return f"{every_word} {day_at_time(slot.weekday, slot.local_time)}"


def recurring(slot: WeeklySlot) -> str:
    """`Tuesdays at 14:30, weekly` (1:1s)."""
    return f"{WEEKDAY_NAMES[slot.weekday]}s at {slot.local_time:%H:%M}, {Cadence(slot.cadence).value}"


def short_label(slot: WeeklySlot) -> str:
    """`Mon 10:00 weekly` (the admin's people list)."""
    return f"{WEEKDAY_NAMES[slot.weekday][:3]} {slot.local_time:%H:%M} {Cadence(slot.cadence).value}"


def command_words(slot: WeeklySlot) -> str:
    """`wednesday 09:30 fortnightly`: the words `parse_slot` reads back as this slot."""
    return f"{WEEKDAY_NAMES[slot.weekday].lower()} {slot.local_time:%H:%M} {Cadence(slot.cadence).value}"
