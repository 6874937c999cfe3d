"""The sample team file (bot/demo/demo_team.yaml, also at examples/demo_team.yaml) as typed values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.services.slots import WEEKDAY_NAMES, SlotError, parse_cadence, parse_time, parse_weekday
from storage.models import Cadence

DEFAULT_TEAM_FILE = Path(__file__).resolve().parent / "demo_team.yaml"  # shipped in the wheel


class TeamFileError(ValueError):
    """The team file is not usable; the message names the file and the entry."""


@dataclass(frozen=True)
class Story:
    """Evidence an engineer tells the bot, with the ids of the ladder behaviours it shows."""

    text: str
    shows: tuple[str, ...] = ()


@dataclass(frozen=True)
class Member:
    slack_id: str
    name: str
    email: str
    tz: str
    role: str  # "manager" or "engineer"
    framework: str
    level: str
    prompt_weekday: int  # 0 = Monday
    prompt_time: time
    manager: str | None = None
    stories: tuple[Story, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def first_name(self) -> str:
        return self.name.split()[0]


@dataclass(frozen=True)
class OneOnOneSpec:
    manager: str
    report: str
    weekday: int
    time: time
    cadence: Cadence = Cadence.WEEKLY


@dataclass(frozen=True)
class Team:
    team_id: str
    name: str
    week_one: datetime  # Monday 00:00 of week 1, naive UTC
    channel_id: str
    channel_name: str
    members: tuple[Member, ...]
    one_on_ones: tuple[OneOnOneSpec, ...]
    kudos_author: str
    kudos_text: str
    kudos_shows: dict[str, tuple[str, ...]] = field(default_factory=dict)  # framework id -> behaviour ids
    source: Path = field(default=DEFAULT_TEAM_FILE)

    def member(self, slack_id: str) -> Member:
        for member in self.members:
            if member.slack_id == slack_id:
                return member
        raise KeyError(slack_id)

    @property
    def manager(self) -> Member:
        return next(member for member in self.members if member.role == "manager")

    @property
    def engineers(self) -> tuple[Member, ...]:
        return tuple(member for member in self.members if member.role == "engineer")


def _weekday(value: object, where: str) -> int:
    try:
        return parse_weekday(str(value))
    except SlotError:
        raise TeamFileError(f"{where}: {value!r} is not a weekday") from None


def _time(value: object, where: str) -> time:
    if isinstance(value, int):  # YAML 1.1 reads an unquoted 10:00 as sexagesimal minutes
        return time(value // 60, value % 60)
    try:
        return parse_time(str(value))
    except SlotError:
        raise TeamFileError(f"{where}: {value!r} is not a time such as '10:00'") from None


def _cadence(value: object, where: str) -> Cadence:
    try:
        return parse_cadence(str(value))
    except SlotError as error:
        raise TeamFileError(f"{where}: {error}") from None


def _monday(value: object, where: str) -> datetime:
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise TeamFileError(f"{where}: {value!r} is not a date such as 2025-03-17") from None
    if day.weekday() != 0:
        raise TeamFileError(f"{where}: {day} is a {WEEKDAY_NAMES[day.weekday()].lower()}, not a monday")
    return datetime(day.year, day.month, day.day)


def _story(item: object, where: str) -> Story:
    """A story is a plain sentence, or `{text: ..., shows: [behaviour ids]}`."""
    if isinstance(item, str):
        return Story(item)
    if isinstance(item, dict) and isinstance(item.get("text"), str):
        return Story(item["text"], tuple(str(b) for b in item.get("shows") or ()))
    raise TeamFileError(f"{where}: {item!r} is not a story (a sentence, or {{text: ..., shows: [...]}})")


def load_team(path: Path = DEFAULT_TEAM_FILE) -> Team:
    if not path.is_file():
        raise TeamFileError(f"{path}: no such team file. Pass --team with a file like examples/demo_team.yaml.")
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise TeamFileError(f"{path}: {error}") from None
    try:
        members = []
        for index, entry in enumerate(data["people"]):
            where = f"{path}: people[{index}]"
            ZoneInfo(entry["tz"])
            prompt = entry.get("prompt") or {}
            members.append(
                Member(
                    slack_id=entry["slack_id"],
                    name=entry["name"],
                    email=entry["email"],
                    tz=entry["tz"],
                    role=entry.get("role", "engineer"),
                    framework=entry["framework"],
                    level=str(entry["level"]),
                    prompt_weekday=_weekday(prompt.get("weekday", "monday"), where),
                    prompt_time=_time(prompt.get("time", "10:00"), where),
                    manager=entry.get("manager"),
                    stories=tuple(_story(item, f"{where}.stories") for item in entry.get("stories") or ()),
                )
            )
        one_on_ones = tuple(
            OneOnOneSpec(
                manager=entry["manager"],
                report=entry["report"],
                weekday=_weekday(entry["weekday"], f"{path}: one_on_ones[{index}]"),
                time=_time(entry["time"], f"{path}: one_on_ones[{index}]"),
                cadence=_cadence(entry.get("cadence", "weekly"), f"{path}: one_on_ones[{index}]"),
            )
            for index, entry in enumerate(data.get("one_on_ones") or [])
        )
        team = Team(
            team_id=data["workspace"]["team_id"],
            name=data["workspace"]["name"],
            week_one=_monday(data["week_one"], f"{path}: week_one"),
            channel_id=data["channel"]["id"],
            channel_name=data["channel"]["name"],
            members=tuple(members),
            one_on_ones=one_on_ones,
            kudos_author=data["kudos"]["author"],
            kudos_text=data["kudos"]["text"],
            kudos_shows={
                str(framework): tuple(str(b) for b in ids or ())
                for framework, ids in (data["kudos"].get("shows") or {}).items()
            },
            source=path,
        )
    except (KeyError, TypeError) as error:
        raise TeamFileError(f"{path}: missing or malformed entry {error}") from None
    except ValueError as error:
        raise TeamFileError(f"{path}: {error}") from None
    ids = {member.slack_id for member in team.members}
    roles = [member.role for member in team.members]
    if roles.count("manager") != 1 or not team.engineers:
        raise TeamFileError(f"{path}: the demo needs exactly one manager and at least one engineer")
    for spec in team.one_on_ones:
        if spec.manager not in ids or spec.report not in ids:
            raise TeamFileError(f"{path}: one_on_ones names someone not in people: {spec}")
    return team
