"""Org import: people, their ladder placement, manager and prompt slot, from a CSV or YAML file.

The file is validated as a whole before anything is written: every bad row is reported with its line
number and nothing changes unless every row is good. Applying a file only changes what differs from
the database, so importing the same file twice reports "0 changes". It all happens in the caller's
unit of work (one transaction).

Manager links made by an import start PENDING, like every other link: issue 6 makes evidence flow to
a manager only with the report's consent, so an admin's file names the manager and the bot DMs the
report to accept (see bot/services/consent.py), instead of the import activating the link itself.

A field left empty means "no opinion": an empty manager, time zone or prompt slot leaves what the
database holds; people missing from the file are left alone (a file may cover one team).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from slack_sdk.errors import SlackApiError

from bot.services import prompt_controls
from bot.services.slots import day_and_time, time_or_none, weekday_or_none
from bot.services.timing import next_occurrence
from frameworks import Framework
from storage.models import MAX_EMAIL, MAX_NAME, ManagerLinkStatus, Person, PromptSchedule
from storage.uow import UnitOfWork

COLUMNS = (
    "slack_user_id",
    "email",
    "name",
    "manager",
    "framework",
    "level",
    "levels",
    "timezone",
    "prompt_weekday",
    "prompt_time",
    "track",
)
CSV_ONLY_COLUMNS = ("team_id",)
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_NEEDED = "SLACK_BOT_TOKEN is needed to resolve emails to Slack users: set it, or give slack_user_id"


# --- Slack lookups ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResolvedUser:
    user_id: str
    name: str | None = None
    email: str | None = None
    tz: str | None = None
    deleted: bool = False


class EmailResolver(Protocol):
    def lookup(self, email: str) -> ResolvedUser | None:
        """The Slack user with this email, or None when Slack knows no such address."""
        ...


class DictEmailResolver:
    """An EmailResolver over a fixed mapping (tests, offline use)."""

    def __init__(self, users: Mapping[str, ResolvedUser]) -> None:
        self._users = {email.lower(): user for email, user in users.items()}

    def lookup(self, email: str) -> ResolvedUser | None:
        return self._users.get(email.lower())


class LookupByEmailClient(Protocol):
    def users_lookupByEmail(self, *, email: str) -> Any: ...  # slack_sdk's method name


class SlackEmailResolver:
    """users.lookupByEmail through a slack_sdk WebClient (Tier 3: the import looks each address up once)."""

    def __init__(self, client: LookupByEmailClient) -> None:
        self._client = client

    def lookup(self, email: str) -> ResolvedUser | None:
        try:
            answer = self._client.users_lookupByEmail(email=email)
        except SlackApiError as error:
            if error.response.get("error") == "users_not_found":
                return None
            raise
        user = answer["user"]
        profile = user.get("profile") or {}
        name = (profile.get("display_name") or profile.get("real_name") or user.get("real_name") or "").strip()
        return ResolvedUser(
            user_id=user["id"],
            name=name[:MAX_NAME] or None,
            email=(profile.get("email") or email).lower(),
            tz=user.get("tz"),
            deleted=bool(user.get("deleted")),
        )


# --- Reading the file ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    message: str


class OrgFileError(Exception):
    """The file cannot be imported; `problems` lists every bad row by line number."""

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        self.source = source
        self.problems = sorted(problems, key=lambda problem: problem.line)
        lines = [f"{source}:{problem.line}: {problem.message}" for problem in self.problems]
        count = len(self.problems)
        super().__init__(
            f"{source}: {count} problem{'s' if count != 1 else ''}, nothing was imported:\n  " + "\n  ".join(lines)
        )


@dataclass(slots=True)
class OrgRow:
    line: int
    values: dict[str, str | None] = field(default_factory=dict)
    levels: dict[str, str] | None = None

    def get(self, name: str) -> str | None:
        return self.values.get(name)


@dataclass(slots=True)
class OrgFile:
    source: str
    rows: list[OrgRow]
    team_id: str | None = None
    problems: list[Problem] = field(default_factory=list)


def read_org_file(path: Path | str) -> OrgFile:
    """Parse a .csv or .yaml/.yml file into rows with line numbers; shape problems are collected."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise OrgFileError(str(path), [Problem(1, f"not UTF-8 text ({error.reason})")]) from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return parse_csv(text, str(path))
    if suffix in (".yaml", ".yml"):
        return parse_yaml(text, str(path))
    raise OrgFileError(str(path), [Problem(1, "unknown file type: use .csv, .yaml or .yml")])


def parse_csv(text: str, source: str = "<csv>") -> OrgFile:
    reader = csv.DictReader(io.StringIO(text))
    org = OrgFile(source, [])
    headers = [_column_name(name) for name in reader.fieldnames or []]
    if not headers:
        raise OrgFileError(source, [Problem(1, "the file is empty: expected a header row")])
    reader.fieldnames = headers
    known = set(COLUMNS) | set(CSV_ONLY_COLUMNS)
    for name in headers:
        if name not in known:
            org.problems.append(Problem(1, f"unknown column {name!r} (columns: {', '.join(COLUMNS)}, team_id)"))
    team_ids: set[str] = set()
    for record in reader:
        line = reader.line_num
        if None in record:
            org.problems.append(Problem(line, "more values than columns"))
        values = {key: _clean(value) for key, value in record.items() if key in known}
        if not any(values.values()):
            continue
        row = OrgRow(line, {key: value for key, value in values.items() if key not in ("levels", "team_id")})
        if values.get("team_id"):
            team_ids.add(values["team_id"] or "")
        if values.get("levels"):
            row.levels = _parse_levels_cell(values["levels"] or "", line, org.problems)
        org.rows.append(row)
    if len(team_ids) > 1:
        org.problems.append(Problem(2, f"rows name different team_id values: {', '.join(sorted(team_ids))}"))
    org.team_id = next(iter(team_ids), None)
    return org


def parse_yaml(text: str, source: str = "<yaml>") -> OrgFile:
    """YAML read node by node: every scalar stays the string written (so 10:00 is not 600, 3 is "3")."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise OrgFileError(source, [Problem(line, f"not valid YAML: {getattr(error, 'problem', error)}")]) from None
    org = OrgFile(source, [])
    if root is None:
        raise OrgFileError(source, [Problem(1, "the file is empty: expected a list of people")])
    people: yaml.Node | None = root
    if isinstance(root, yaml.MappingNode):
        people = None
        for key, value in _pairs(root, org.problems):
            if key == "team_id" and isinstance(value, yaml.ScalarNode):
                org.team_id = _scalar(value)
            elif key == "people":
                people = value
            else:
                org.problems.append(Problem(_line(value), f"unknown top-level key {key!r} (expected team_id, people)"))
        if people is None:
            org.problems.append(Problem(_line(root), "no `people:` list"))
            return org
    if not isinstance(people, yaml.SequenceNode):
        org.problems.append(Problem(_line(people), "expected a list of people (`- slack_user_id: ...`)"))
        return org
    for item in people.value:
        line = _line(item)
        if not isinstance(item, yaml.MappingNode):
            org.problems.append(Problem(line, "each person must be a mapping of column: value"))
            continue
        row = OrgRow(line)
        for key, value in _pairs(item, org.problems):
            if key == "levels":
                row.levels = _yaml_levels(value, org.problems)
            elif key not in COLUMNS:
                org.problems.append(Problem(_line(value), f"unknown column {key!r} (columns: {', '.join(COLUMNS)})"))
            elif not isinstance(value, yaml.ScalarNode):
                org.problems.append(Problem(_line(value), f"{key} must be a single value"))
            else:
                row.values[key] = _scalar(value)
        org.rows.append(row)
    return org


def _column_name(name: str | None) -> str:
    return (name or "").strip().lower().replace(" ", "_").replace("-", "_")


def _clean(value: object) -> str | None:
    if value is None or isinstance(value, list):
        return None
    text = str(value).strip()
    return text or None


def _parse_levels_cell(cell: str, line: int, problems: list[Problem]) -> dict[str, str]:
    levels: dict[str, str] = {}
    for part in filter(None, (piece.strip() for piece in cell.split(";"))):
        area, sep, level = part.partition("=")
        if not sep or not area.strip() or not level.strip():
            problems.append(Problem(line, f"levels {cell!r}: write area=level pairs separated by ';'"))
            return {}
        levels[area.strip()] = level.strip()
    return levels


def _line(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def _scalar(node: yaml.ScalarNode) -> str | None:
    if node.tag == "tag:yaml.org,2002:null":
        return None
    return _clean(node.value)


def _pairs(node: yaml.MappingNode, problems: list[Problem]) -> list[tuple[str, yaml.Node]]:
    seen: set[str] = set()
    pairs = []
    for key_node, value_node in node.value:
        key = _column_name(str(key_node.value))
        if key in seen:
            problems.append(Problem(_line(key_node), f"{key!r} is given twice"))
            continue
        seen.add(key)
        pairs.append((key, value_node))
    return pairs


def _yaml_levels(node: yaml.Node, problems: list[Problem]) -> dict[str, str]:
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(_line(node), "levels must be a mapping of area: level"))
        return {}
    levels: dict[str, str] = {}
    for key_node, value_node in node.value:
        level = _scalar(value_node) if isinstance(value_node, yaml.ScalarNode) else None
        if level is None:
            problems.append(Problem(_line(value_node), f"levels: area {key_node.value!r} needs one level"))
            continue
        levels[str(key_node.value).strip()] = level
    return levels


# --- Validating against the database, the ladders and Slack ----------------------------------------


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


@dataclass(slots=True)
class ImportPlan:
    team_id: str
    people: list[PlannedPerson]
    defaults: ImportDefaults


def plan_import(
    uow: UnitOfWork,
    org: OrgFile,
    *,
    team_id: str,
    library: Mapping[str, Framework],
    resolver: EmailResolver | None,
    defaults: ImportDefaults,
) -> ImportPlan:
    """Check every row; raise OrgFileError listing all problems, or return what to apply."""
    problems = list(org.problems)
    workspace = uow.workspaces.get_by_team(team_id)
    lookups: dict[str, ResolvedUser | None] = {}
    planned: list[PlannedPerson] = []
    by_slack_id: dict[str, PlannedPerson] = {}
    by_email: dict[str, PlannedPerson] = {}

    for row in org.rows:
        before = len(problems)

        def problem(message: str, line: int = row.line) -> None:
            problems.append(Problem(line, message))

        slack_user_id, email, name = row.get("slack_user_id"), _lower(row.get("email")), row.get("name")
        resolved: ResolvedUser | None = None
        if slack_user_id is not None and not SLACK_USER_ID.match(slack_user_id):
            problem(f"slack_user_id {slack_user_id!r} is not a Slack user id (like U012AB3CD)")
            slack_user_id = None
        if email is not None and (not EMAIL.match(email) or len(email) > MAX_EMAIL):
            problem(f"email {email!r} is not an email address")
            email = None
        elif email is not None and slack_user_id is None and before == len(problems):
            known = uow.people.get_by_email(email, workspace.id) if workspace is not None else None
            if known is not None:
                slack_user_id = known.slack_user_id
            elif resolver is None:
                problem(f"{email}: {TOKEN_NEEDED}")
            else:
                if email not in lookups:
                    lookups[email] = resolver.lookup(email)
                resolved = lookups[email]
                if resolved is None:
                    problem(f"no Slack user has the email {email}")
                elif resolved.deleted:
                    problem(f"the Slack user with the email {email} ({resolved.user_id}) is deactivated")
                else:
                    slack_user_id = resolved.user_id
        if row.get("slack_user_id") is None and row.get("email") is None:
            problem("each person needs a slack_user_id or an email")
        if name is not None and len(name) > MAX_NAME:
            problem(f"name is {len(name):,} characters long; the limit is {MAX_NAME:,}")

        timezone = row.get("timezone")
        if timezone is not None and not _is_zone(timezone):
            problem(f"timezone {timezone!r} is not an IANA time zone (like Europe/Paris)")
        weekday = weekday_or_none(row.get("prompt_weekday"))
        if row.get("prompt_weekday") is not None and weekday is None:
            problem(f"prompt_weekday {row.get('prompt_weekday')!r} is not a weekday (monday ... sunday)")
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
            name=name or (resolved.name if resolved else None),
            timezone=timezone,
            slack_timezone=resolved.tz if resolved and resolved.tz and _is_zone(resolved.tz) else None,
            framework=framework,
            levels=levels,
            track=track,
            weekday=weekday,
            local_time=local_time,
            manager_ref=row.get("manager"),
        )
        # Bad rows still count as known people, so later rows naming them are judged fairly.
        by_slack_id.setdefault(slack_user_id, person)
        if person.email:
            by_email.setdefault(person.email, person)
        if len(problems) == before:
            planned.append(person)

    for person in planned:
        person.manager_slack_id = _resolve_manager(person, by_slack_id, by_email, uow, workspace, problems)
    problems.extend(_manager_cycles(planned, uow, workspace))
    if problems:
        raise OrgFileError(org.source, problems)
    return ImportPlan(team_id, planned, defaults)


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
        problem(f"unknown framework {framework_id!r} (known: {', '.join(sorted(library))})")
        return None, None, None
    level_ids = [lv.id for lv in framework.levels]
    area_ids = [area.id for area in framework.areas]
    ok = True
    if level is not None and level not in level_ids:
        problem(f"framework {framework.id} has no level {level!r} (levels: {', '.join(level_ids)})")
        ok = False
    levels: dict[str, str] = {}
    for area_id, area_level in (row.levels or {}).items():
        if area_id not in area_ids:
            problem(f"framework {framework.id} has no area {area_id!r} (areas: {', '.join(area_ids)})")
            ok = False
        elif area_level not in level_ids:
            problem(f"framework {framework.id} has no level {area_level!r} (levels: {', '.join(level_ids)})")
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
    uow: UnitOfWork,
    workspace: Any,
    problems: list[Problem],
) -> str | None:
    ref = person.manager_ref
    if ref is None:
        return None
    manager_id: str | None = None
    if "@" in ref:
        in_file = by_email.get(ref.lower())
        known = uow.people.get_by_email(ref, workspace.id) if in_file is None and workspace is not None else None
        manager_id = in_file.slack_user_id if in_file else (known.slack_user_id if known else None)
    elif ref in by_slack_id or (workspace is not None and uow.people.get_by_slack_id(workspace.id, ref)):
        manager_id = ref
    if manager_id is None:
        problems.append(Problem(person.line, f"unknown manager {ref!r}: not in this file and not known to growthbot"))
    elif manager_id == person.slack_user_id:
        problems.append(Problem(person.line, f"manager cycle: {person.slack_user_id} is their own manager"))
        return None
    return manager_id


def _manager_cycles(planned: list[PlannedPerson], uow: UnitOfWork, workspace: Any) -> list[Problem]:
    """Follow each person's manager chain (this file's managers, else the database's) to find loops."""
    in_file = {person.slack_user_id: person for person in planned}
    stored: dict[str, str | None] = {}

    def manager_of(slack_id: str) -> str | None:
        if slack_id in in_file:
            person = in_file[slack_id]
            if person.manager_slack_id is not None or person.manager_ref is not None:
                return person.manager_slack_id
        if slack_id not in stored:
            stored[slack_id] = _stored_manager(uow, workspace, slack_id)
        return stored[slack_id]

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


def _stored_manager(uow: UnitOfWork, workspace: Any, slack_id: str) -> str | None:
    if workspace is None:
        return None
    person = uow.people.get_by_slack_id(workspace.id, slack_id)
    if person is None:
        return None
    link = uow.managers.active_link_of(person.id)
    if link is None:
        pending = uow.managers.pending_for(person.id)
        link = pending[0] if pending else None
    return link.manager.slack_user_id if link is not None else None


def _lower(value: str | None) -> str | None:
    return value.lower() if value else value


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


# --- Applying the differences ----------------------------------------------------------------------


@dataclass(slots=True)
class ImportReport:
    team_id: str
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    added: int = 0

    @property
    def change_count(self) -> int:
        return len(self.changes)

    def summary(self) -> str:
        count = self.change_count
        lines = [f"{count} change{'s' if count != 1 else ''}"]
        lines += [f"  {change}" for change in self.changes]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def apply_import(uow: UnitOfWork, plan: ImportPlan, now: datetime) -> ImportReport:
    """Write only what differs from the database. Flushes; the caller's unit of work commits."""
    report = ImportReport(plan.team_id)
    workspace = uow.workspaces.get_or_create(plan.team_id)
    people: dict[str, Person] = {}
    for planned in plan.people:
        person, tz_changed = _apply_person(uow, workspace.id, planned, plan.defaults, report, now)
        people[planned.slack_user_id] = person
        _apply_placement(uow, person, planned, report, now)
        _apply_schedule(uow, person, planned, plan.defaults, report, now, tz_changed=tz_changed)
    for planned in plan.people:
        if planned.manager_slack_id is not None:
            manager = people.get(planned.manager_slack_id) or uow.people.get_by_slack_id(
                workspace.id, planned.manager_slack_id
            )
            assert manager is not None  # plan_import checked it exists
            _apply_manager(uow, people[planned.slack_user_id], manager, report, now)
    uow.flush()
    return report


def _label(person: Person) -> str:
    return f"{person.slack_user_id} ({person.display_name})" if person.display_name else person.slack_user_id


def _apply_person(
    uow: UnitOfWork,
    workspace_id: int,
    planned: PlannedPerson,
    defaults: ImportDefaults,
    report: ImportReport,
    now: datetime,
) -> tuple[Person, bool]:
    """(person, whether their time zone changed)."""
    person = uow.people.get_by_slack_id(workspace_id, planned.slack_user_id)
    if person is None:
        person = uow.people.add(
            workspace_id,
            planned.slack_user_id,
            display_name=planned.name,
            email=planned.email,
            tz=planned.timezone or planned.slack_timezone or defaults.timezone,
        )
        report.added += 1
        report.changes.append(f"added {_label(person)}")
        return person, False
    label = _label(person)
    tz_changed = planned.timezone is not None and planned.timezone != person.tz
    for attribute, wanted, what in (
        ("display_name", planned.name, "name"),
        ("email", planned.email, "email"),
        ("tz", planned.timezone, "time zone"),
    ):
        current = getattr(person, attribute)
        if wanted is not None and wanted != current:
            setattr(person, attribute, wanted)
            report.changes.append(f"{label}: {what} {current or '(none)'} → {wanted}")
    if not person.active:
        prompt_controls.mark_active(uow, person, now)
        report.changes.append(f"{label}: active again")
    return person, tz_changed


def _apply_placement(
    uow: UnitOfWork, person: Person, planned: PlannedPerson, report: ImportReport, now: datetime
) -> None:
    if planned.framework is None or planned.levels is None:
        return
    framework, levels = planned.framework, planned.levels
    current = uow.placements.current_for(person.id)
    if current is not None and (current.framework_id, current.levels, current.track) == (
        framework.id,
        levels,
        planned.track,
    ):
        return
    label = _label(person)
    if current is None:
        reason = "import"
        what = f"placed on {framework.id} at {_levels_text(levels)}"
    elif current.framework_id != framework.id:
        reason = "framework change"
        what = f"moved from {current.framework_id} to {framework.id} at {_levels_text(levels)}"
    else:
        before = {area: framework.level_index(lv) for area, lv in current.levels.items() if lv in _level_ids(framework)}
        after = {area: framework.level_index(lv) for area, lv in levels.items()}
        raised = [area for area in after if after[area] > before.get(area, -1)]
        lowered = [area for area in after if area in before and after[area] < before[area]]
        if raised and not lowered:
            reason = "promotion"
        elif current.levels != levels:
            reason = "level change"
        else:
            reason = "track change"
        what = f"{reason} on {framework.id}: {_levels_diff(current.levels, levels)}"
        if current.track != planned.track:
            what += f" (track {current.track or 'none'} → {planned.track or 'none'})"
    uow.placements.open(person.id, framework.id, levels, track=planned.track, reason=reason, now=now)
    report.changes.append(f"{label}: {what}")


def _level_ids(framework: Framework) -> set[str]:
    return {level.id for level in framework.levels}


def _levels_text(levels: Mapping[str, str]) -> str:
    distinct = set(levels.values())
    if len(distinct) == 1:
        return f"level {next(iter(distinct))}"
    return ", ".join(f"{area}={level}" for area, level in levels.items())


def _levels_diff(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    changed = [
        f"{area} {before.get(area, '-')} → {level}" for area, level in after.items() if before.get(area) != level
    ]
    return ", ".join(changed) or "same levels"


def _apply_schedule(
    uow: UnitOfWork,
    person: Person,
    planned: PlannedPerson,
    defaults: ImportDefaults,
    report: ImportReport,
    now: datetime,
    *,
    tz_changed: bool,
) -> None:
    schedule = uow.schedules.get_for(person.id)
    label = _label(person)
    if schedule is None:
        weekday = planned.weekday if planned.weekday is not None else defaults.weekday
        local_time = planned.local_time or defaults.local_time
        schedule = uow.schedules.upsert(person.id, weekday=weekday, local_time=local_time)
        uow.schedules.set_next_due(schedule, _next_due(schedule, person.tz, now))
        report.changes.append(f"{label}: prompts on {day_and_time(weekday, local_time)}")
        return
    weekday = planned.weekday if planned.weekday is not None else schedule.weekday
    local_time = planned.local_time or schedule.local_time
    slot_changed = (weekday, local_time) != (schedule.weekday, schedule.local_time)
    if slot_changed:
        before = day_and_time(schedule.weekday, schedule.local_time)
        uow.schedules.upsert(
            person.id,
            weekday=weekday,
            local_time=local_time,
            cadence=schedule.cadence,
            anchor_date=schedule.anchor_date,
        )
        report.changes.append(f"{label}: prompts {before} → {day_and_time(weekday, local_time)}")
    if slot_changed or tz_changed:
        uow.schedules.set_next_due(schedule, _next_due(schedule, person.tz, now))


def _next_due(schedule: PromptSchedule, tz: str, now: datetime) -> datetime | None:
    if schedule.paused and schedule.paused_until is None:
        return None
    after = max(now, schedule.paused_until) if schedule.paused and schedule.paused_until else now
    return next_occurrence(
        weekday=schedule.weekday,
        local_time=schedule.local_time,
        tz=tz,
        after=after,
        cadence=schedule.cadence,
        anchor_date=schedule.anchor_date,
    )


def _apply_manager(uow: UnitOfWork, person: Person, manager: Person, report: ImportReport, now: datetime) -> None:
    label = _label(person)
    active = uow.managers.active_link_of(person.id)
    pending = uow.managers.pending_for(person.id)
    if (active is not None and active.manager_id == manager.id) or any(p.manager_id == manager.id for p in pending):
        return
    latest = uow.managers.latest_between(person.id, manager.id)
    if latest is not None and latest.status is ManagerLinkStatus.DECLINED:
        report.notes.append(
            f"{label} declined {_label(manager)} as manager on {latest.decided_at or latest.created_at:%Y-%m-%d}; "
            "not asked again (they can add them from the bot)"
        )
        return
    if active is not None:
        uow.managers.end(active, now)
        report.changes.append(f"{label}: manager link to {_label(active.manager)} ended")
    uow.managers.request(person.id, manager.id, now=now)
    report.changes.append(f"{label}: manager {_label(manager)} named, waiting for {person.slack_user_id}'s consent")


# --- The whole thing -------------------------------------------------------------------------------


def import_people(
    uow: UnitOfWork,
    org: OrgFile,
    *,
    team_id: str,
    library: Mapping[str, Framework],
    resolver: EmailResolver | None,
    defaults: ImportDefaults,
    now: datetime,
) -> ImportReport:
    """Validate then apply, in the caller's unit of work: an OrgFileError leaves nothing written."""
    plan = plan_import(uow, org, team_id=team_id, library=library, resolver=resolver, defaults=defaults)
    return apply_import(uow, plan, now)
