"""What the demo's script did, for the summary and the tests: the evidence it gave the bot, the weeks
away or with nothing to tell, the steps this build cannot play yet, and each engineer's part."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Capture:
    """A piece of evidence the script gave the bot (the test checks each is stored exactly once)."""

    week: int
    slack_id: str
    method: str
    text: str
    at: datetime
    shows: tuple[str, ...] = ()  # the behaviours the story shows (the test checks the saved tags)


@dataclass
class ScenarioLog:
    captures: list[Capture] = field(default_factory=list)
    vacations: list[tuple[str, int]] = field(default_factory=list)  # (slack id, week)
    nothing_weeks: list[tuple[str, int]] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # slack id -> method per week
