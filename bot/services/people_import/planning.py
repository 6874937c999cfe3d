"""Planning an import: every row checked against the database, the ladders and Slack, before anything
is written. Problems are collected for the whole file; a plan comes back only when there are none."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from bot.services.directory import Directory, EmailLookup, Failed, NotFound
from bot.services.people import SlackProfile
from bot.services.people_import.reading import OrgFile, OrgFileError, OrgRow, Problem
from bot.services.people_import.snapshot import Snapshot, load_snapshot
from bot.services.slots import time_or_none, weekday_or_none
from bot.services.timing import is_known_zone
from frameworks import Framework
from storage.models import MAX_EMAIL, MAX_NAME
from storage.uow import UnitOfWork

SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_NEEDED = "SLACK_BOT_TOKEN is needed to resolve emails to Slack users: set it, or give slack_user_id"


@dataclass(frozen=True, slots=True)
class ImportDefaults:
    """Prompt slot and time zone for people the file does not give them for (from Settings)."""

    weekday: int = 0
    local_time: time = time(10, 0)
    timezone: str = "UTC"


@dataclass(slots=True)
class PlannedPerson:
    line: int
    slack_user_id: str
    email: str | None
    name: str | None
    timezone: str | None  # given in the file
    slack_timezone: str | None  # from Slack, used only for someone new
    framework: Framework | None
    levels: dict[str, str] | None
    track: str | None
    weekday: int | None
    local_time: time | None
    manager_ref: str | None
    manager_slack_id: str | None = None  # resolved after every row is read
    slack_real_name: str | None = None  # Slack's names, when the row was resolved through Slack
    slack_display_name: str | None = None


@dataclass(slots=True)
class ImportPlan:
    team_id: str
    people: list[PlannedPerson]
    defaults: ImportDefaults
    stored: Snapshot | None = None  # what planning read, reused by apply_import in the same unit of work


def plan_import(
    uow: UnitOfWork,
    org: OrgFile,
    *,
    team_id: str,
    library: Mapping[str, Framework],
    directory: Directory | None,
    defaults: ImportDefaults,
) -> ImportPlan:
    """Check every row; raise OrgFileError listing all problems, or return what to apply."""
    problems = list(org.problems)
    workspace = uow.workspaces.get_by_team(team_id)
    stored = load_snapshot(uow, workspace)
    lookups: dict[str, EmailLookup] = {}
    planned: list[PlannedPerson] = []
    identified: list[PlannedPerson] = []
    by_slack_id: dict[str, PlannedPerson] = {}
    by_email: dict[str, PlannedPerson] = {}

    for row in org.rows:
        before = len(problems)

        def problem(message: str, line: int = row.line) -> None:
            problems.append(Problem(line, message))

        slack_user_id, email, name = row.get("slack_user_id"), _lower(row.get("email")), row.get("name")
        resolved: SlackProfile | None = None
        if slack_user_id is not None and not SLACK_USER_ID.match(slack_user_id):
            problem(f"slack_user_id {slack_user_id!r} is not a Slack user id (like U012AB3CD)")
            slack_user_id = None
        if email is not None and (not EMAIL.match(email) or len(email) > MAX_EMAIL):
            problem(f"email {email!r} is not an email address")
            email = None
        elif email is not None and slack_user_id is None and before == len(problems):
            known = stored.by_email.get(email)
            if known is not None:
                slack_user_id = known.slack_user_id
            elif directory is None:
                problem(f"{email}: {TOKEN_NEEDED}")
            else:
                if email not in lookups:
                    lookups[email] = directory.find_by_email(email)
                lookup = lookups[email]
                if isinstance(lookup, NotFound):
                    problem(f"no Slack user has the email {email}")
                elif isinstance(lookup, Failed):
                    problem(f"Slack could not look up {email} ({lookup.reason})")
                elif lookup.profile.deleted:
                    problem(f"the Slack user with the email {email} ({lookup.profile.user_id}) is deactivated")
                else:
                    resolved = lookup.profile
                    slack_user_id = resolved.user_id
        if row.get("slack_user_id") is None and row.get("email") is None:
            problem("each person needs a slack_user_id or an email")
        if name is not None and len(name) > MAX_NAME:
            problem(f"name is {len(name):,} characters long; the limit is {MAX_NAME:,}")

        timezone = row.get("timezone")
        if timezone is not None and not is_known_zone(timezone):
            problem(f"timezone {timezone!r} is not an IANA time zone (like Europe/Paris){_near(timezone, _zones())}")
        weekday = weekday_or_none(row.get("prompt_weekday"))
        if row.get("prompt_weekday") is not None and weekday is None:
            problem(
                f"prompt_weekday {row.get('prompt_weekday')!r} is not a weekday (monday ... sunday)"
                + _near(row.get("prompt_weekday") or "", WEEKDAYS)
            )
        local_time = time_or_none(row.get("prompt_time"))
        if row.get("prompt_time") is not None and local_time is None:
            problem(f"prompt_time {row.get('prompt_time')!r} is not a 24-hour time like 09:30")

        framework, levels, track = _placement(row, library, problem)

        if slack_user_id is not None and slack_user_id in by_slack_id:
            problem(f"duplicate person: {slack_user_id} is also on line {by_slack_id[slack_user_id].line}")
        elif email is not None and email in by_email:
            problem(f"duplicate person: {email} is also on line {by_email[email].line}")
        if slack_user_id is None:
            continue
        person = PlannedPerson(
            line=row.line,
            slack_user_id=slack_user_id,
            email=email or (resolved.email if resolved else None),
            name=name,  # the imported name; Slack's own names below win over it (storage.models.shown_name)
            timezone=timezone,
            slack_timezone=resolved.tz if resolved else None,
            framework=framework,
            levels=levels,
            track=track,
            weekday=weekday,
            local_time=local_time,
            manager_ref=row.get("manager"),
            slack_real_name=resolved.real_name if resolved else None,
            slack_display_name=resolved.display_name if resolved else None,
        )
        # Bad rows still count as known people, so later rows naming them are judged fairly.
        by_slack_id.setdefault(slack_user_id, person)
        if person.email:
            by_email.setdefault(person.email, person)
        identified.append(person)
        if len(problems) == before:
            planned.append(person)

    # Every identified row's manager is checked, so one pass reports everything wrong with the file.
    for person in identified:
        person.manager_slack_id = _resolve_manager(person, by_slack_id, by_email, stored, problems)
    problems.extend(_manager_cycles(planned, stored))
    if problems:
        raise OrgFileError(org.source, problems)
    return ImportPlan(team_id, planned, defaults, stored if workspace is not None else None)


def _placement(
    row: OrgRow, library: Mapping[str, Framework], problem: Any
) -> tuple[Framework | None, dict[str, str] | None, str | None]:
    framework_id, level, track = row.get("framework"), row.get("level"), row.get("track")
    if framework_id is None:
        if level is not None or row.levels or track is not None:
            problem("level, levels or track given without a framework")
        return None, None, None
    framework = library.get(framework_id)
    if framework is None:
        problem(
            f"unknown framework {framework_id!r} (known: {', '.join(sorted(library))}){_near(framework_id, library)}"
        )
        return None, None, None
    level_ids = [lv.id for lv in framework.levels]
    area_ids = [area.id for area in framework.areas]
    ok = True
    if level is not None and level not in level_ids:
        listed = ", ".join(level_ids)
        problem(f"framework {framework.id} has no level {level!r} (levels: {listed}){_near_level(level, level_ids)}")
        ok = False
    levels: dict[str, str] = {}
    for area_id, area_level in (row.levels or {}).items():
        if area_id not in area_ids:
            listed = ", ".join(area_ids)
            problem(f"framework {framework.id} has no area {area_id!r} (areas: {listed}){_near(area_id, area_ids)}")
            ok = False
        elif area_level not in level_ids:
            problem(
                f"framework {framework.id} has no level {area_level!r} (levels: {', '.join(level_ids)})"
                + _near_level(area_level, level_ids)
            )
            ok = False
        else:
            levels[area_id] = area_level
    if level is None and not row.levels:
        problem(f"give a level (one for every area of {framework.id}) or per-area levels")
        ok = False
    elif level is None:
        missing = [area_id for area_id in area_ids if area_id not in (row.levels or {})]
        if missing:
            problem(f"levels: no level for area{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
            ok = False
    track_ids = [t.id for t in getattr(framework, "tracks", ())]
    if track is not None and track not in track_ids:
        known = ", ".join(track_ids) if track_ids else "none"
        problem(f"framework {framework.id} has no track {track!r} (tracks: {known})")
        ok = False
    if not ok:
        return None, None, None
    return framework, {area_id: levels.get(area_id, level or "") for area_id in area_ids}, track


def _resolve_manager(
    person: PlannedPerson,
    by_slack_id: Mapping[str, PlannedPerson],
    by_email: Mapping[str, PlannedPerson],
    stored: Snapshot,
    problems: list[Problem],
) -> str | None:
    ref = person.manager_ref
    if ref is None:
        return None
    manager_id: str | None = None
    if "@" in ref:
        in_file = by_email.get(ref.lower())
        known = stored.by_email.get(ref.strip().lower()) if in_file is None else None
        manager_id = in_file.slack_user_id if in_file else (known.slack_user_id if known else None)
    elif ref in by_slack_id or ref in stored.by_slack_id:
        manager_id = ref
    if manager_id is None:
        problems.append(Problem(person.line, f"unknown manager {ref!r}: not in this file and not known to growthbot"))
    elif manager_id == person.slack_user_id:
        problems.append(Problem(person.line, f"manager cycle: {person.slack_user_id} is their own manager"))
        return None
    return manager_id


def _manager_cycles(planned: list[PlannedPerson], snapshot: Snapshot) -> list[Problem]:
    """Follow each person's manager chain (this file's managers, else the database's) to find loops."""
    in_file = {person.slack_user_id: person for person in planned}

    def manager_of(slack_id: str) -> str | None:
        if slack_id in in_file:
            person = in_file[slack_id]
            if person.manager_slack_id is not None or person.manager_ref is not None:
                return person.manager_slack_id
        return snapshot.stored_manager(slack_id)

    problems: list[Problem] = []
    reported: set[str] = set()
    for person in planned:
        chain = [person.slack_user_id]
        current = manager_of(person.slack_user_id)
        while current is not None and current not in chain:
            chain.append(current)
            current = manager_of(current)
        if current is None or current != person.slack_user_id or person.slack_user_id in reported:
            continue
        cycle = [*chain, current]
        reported.update(chain)
        problems.append(Problem(person.line, f"manager cycle: {' → '.join(cycle)}"))
        for other in chain[1:]:
            if other in in_file:
                problems.append(Problem(in_file[other].line, f"manager cycle: {' → '.join(cycle)}"))
    return problems


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _near(value: str, choices: Iterable[str]) -> str:
    """`; did you mean X?` for the closest known value (Asia/Tokio → Asia/Tokyo), or nothing."""
    options = list(choices)
    by_folded = {option.casefold(): option for option in options}
    matches = difflib.get_close_matches(value.casefold(), list(by_folded), n=1, cutoff=0.75)
    return f"; did you mean {by_folded[matches[0]]}?" if matches else ""


def _near_level(level: str, level_ids: list[str]) -> str:
    """A number on a ladder named otherwise (3 on I..VII) means the third level."""
    if level.isdigit() and level not in level_ids and 1 <= int(level) <= len(level_ids):
        return f"; did you mean {level_ids[int(level) - 1]} (level {level} of {len(level_ids)})?"
    return _near(level, level_ids)


def _lower(value: str | None) -> str | None:
    return value.lower() if value else value
