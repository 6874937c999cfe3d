from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.services import consent, promotions, prompt_controls
from bot.services.directory import DictDirectory, Directory, Failed
from bot.services.people import SlackProfile
from bot.services.people_import import import_people
from bot.services.people_import.applying import ImportReport
from bot.services.people_import.planning import ImportDefaults
from bot.services.people_import.reading import OrgFile, OrgFileError, parse_csv, parse_yaml, read_org_file
from frameworks import Library, load_library
from storage.models import AuditEntry, ManagerLink, ManagerLinkStatus, Person, Placement, PromptSchedule
from tests.conftest import Database

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
NOW = datetime(2025, 3, 3, 8, 0)  # a Monday, 08:00 UTC
DEFAULTS = ImportDefaults(weekday=0, local_time=time(10, 0), timezone="UTC")


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def _import(
    db: Database,
    org: OrgFile,
    library: Library,
    directory: Directory | None = None,
    now: datetime = NOW,
) -> ImportReport:
    with db.uow() as uow:
        return import_people(uow, org, team_id="T1", library=library, directory=directory, defaults=DEFAULTS, now=now)


def _problems(db: Database, org: OrgFile, library: Library, directory: Directory | None = None) -> list[str]:
    with pytest.raises(OrgFileError) as raised:
        _import(db, org, library, directory)
    return [f"{problem.line}: {problem.message}" for problem in raised.value.problems]


def _count(db: Database, model: type) -> int:
    with db.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def _person(db: Database, slack_id: str) -> Person:
    with db.uow() as uow:
        workspace = uow.workspaces.get_by_team("T1")
        person = uow.people.get_by_slack_id(workspace.id, slack_id)
        assert person is not None
        return person


def test_example_yaml_imports_on_both_databases(db: Database, library: Library) -> None:
    report = _import(db, read_org_file(EXAMPLES / "org.yaml"), library)
    assert report.added == 4
    assert _count(db, Person) == 4 and _count(db, Placement) == 4 and _count(db, PromptSchedule) == 4
    with db.uow() as uow:
        workspace = uow.workspaces.get_by_team("T1")
        ben = uow.people.get_by_slack_id(workspace.id, "U0BEN0003")
        assert (ben.display_name, ben.email, ben.tz) == ("Ben Tanaka", "ben@example.com", "America/New_York")
        placement = uow.placements.current_for(ben.id)
        assert placement.framework_id == "luko-execution" and placement.reason == "import"
        assert placement.levels == {"delivery": "3", "communication": "2", "quality": "3", "optimisation": "2"}
        chioma = uow.people.get_by_slack_id(workspace.id, "U0CHI0004")
        assert uow.placements.current_for(chioma.id).track == "staff"
        schedule = uow.schedules.get_for(ben.id)
        assert (schedule.weekday, schedule.local_time) == (4, time(15, 30))
        # Friday 7 March 2025, 15:30 in New York (EST, UTC-5) is 20:30 UTC.
        assert schedule.next_due_at == datetime(2025, 3, 7, 20, 30)
        mia = uow.people.get_by_slack_id(workspace.id, "U0MIA0001")
        mia_schedule = uow.schedules.get_for(mia.id)
        assert (mia_schedule.weekday, mia_schedule.local_time) == (0, time(10, 0))  # the defaults
        assert mia_schedule.next_due_at == datetime(2025, 3, 3, 9, 0)  # 10:00 in Paris, today
        links = uow.managers.reports_of(mia.id, [ManagerLinkStatus.PENDING])
        assert sorted(link.person.slack_user_id for link in links) == ["U0ADA0002", "U0BEN0003", "U0CHI0004"]
        assert uow.managers.reports_of(mia.id) == []  # nobody consented yet


def test_reimport_and_the_csv_twin_change_nothing(db: Database, library: Library) -> None:
    _import(db, read_org_file(EXAMPLES / "org.yaml"), library)
    again = _import(db, read_org_file(EXAMPLES / "org.yaml"), library)
    assert again.change_count == 0 and again.summary() == "0 changes"
    csv_twin = _import(db, read_org_file(EXAMPLES / "org.csv"), library)
    assert csv_twin.change_count == 0, csv_twin.changes
    assert _count(db, Placement) == 4 and _count(db, ManagerLink) == 3


def test_a_changed_file_applies_only_the_differences(db: Database, library: Library) -> None:
    _import(db, read_org_file(EXAMPLES / "org.yaml"), library)
    changed = (EXAMPLES / "org.yaml").read_text()
    changed = changed.replace('framework: vio-execution\n    level: "2"', 'framework: vio-execution\n    level: "3"')
    changed = changed.replace(
        '      communication: "2"\n      quality: "3"', '      communication: "2"\n      quality: "2"'
    )
    changed = changed.replace(
        'prompt_weekday: wednesday\n    prompt_time: "09:00"', 'prompt_weekday: thursday\n    prompt_time: "09:00"'
    )
    changed = changed.replace(
        "    manager: U0MIA0001\n    timezone: Asia/Tokyo", "    manager: U0ADA0002\n    timezone: Asia/Tokyo"
    )
    report = _import(db, parse_yaml(changed, "org.yaml"), library, now=datetime(2025, 6, 1))
    assert report.changes == [
        "U0ADA0002 (Ada Okafor): promotion on vio-execution: delivery 2 → 3, communication 2 → 3, quality 2 → 3, "
        "optimisation 2 → 3",
        "U0BEN0003 (Ben Tanaka): level change on luko-execution: quality 3 → 2",
        "U0CHI0004 (Chioma Reyes): prompts Wednesday 09:00 → Thursday 09:00",
        "U0CHI0004 (Chioma Reyes): manager U0ADA0002 (Ada Okafor) named, waiting for U0CHI0004's consent",
    ]
    with db.uow() as uow:
        ada = uow.people.get_by_slack_id(uow.workspaces.get_by_team("T1").id, "U0ADA0002")
        history = uow.placements.history_for(ada.id)
        assert [(p.reason, p.levels["delivery"], p.ended_at) for p in history] == [
            ("import", "2", datetime(2025, 6, 1)),
            ("promotion", "3", None),
        ]
        # The same path as a promotion from Slack: audited, by the CLI (no actor).
        audited = uow.session.scalars(select(AuditEntry).where(AuditEntry.subject_slack_id == "U0ADA0002")).all()
        assert [(e.action, e.actor_slack_id, e.details["source"]) for e in audited] == [
            (promotions.PROMOTED, None, "people import")
        ]
    chioma = _person(db, "U0CHI0004")
    with db.uow() as uow:
        links = uow.managers.history_for(chioma.id)
        assert [(link.manager.slack_user_id, link.status) for link in links] == [
            ("U0MIA0001", ManagerLinkStatus.ENDED),
            ("U0ADA0002", ManagerLinkStatus.PENDING),
        ]
    assert _import(db, parse_yaml(changed, "org.yaml"), library).change_count == 0


def test_an_active_manager_stays_until_the_report_accepts_the_one_the_file_names(
    db: Database, library: Library
) -> None:
    _import(db, read_org_file(EXAMPLES / "org.yaml"), library)
    ada = _person(db, "U0ADA0002")
    with db.uow() as uow:
        uow.managers.accept(uow.managers.pending_for(ada.id)[0])
    text = (
        (EXAMPLES / "org.yaml")
        .read_text()
        .replace("manager: U0MIA0001\n    timezone: Europe/London", "manager: U0BEN0003\n    timezone: Europe/London")
    )
    report = _import(db, parse_yaml(text, "org.yaml"), library)
    # The one rule of consent.change_manager: the current manager stays until the report accepts.
    assert report.changes == [
        "U0ADA0002 (Ada Okafor): manager U0BEN0003 (Ben Tanaka) named, waiting for U0ADA0002's consent; "
        "U0MIA0001 (Mia Moreau) stays their manager until then",
    ]
    with db.uow() as uow:
        assert uow.managers.active_manager_of(ada.id).slack_user_id == "U0MIA0001"
        assert [link.manager.slack_user_id for link in uow.managers.pending_for(ada.id)] == ["U0BEN0003"]
    assert _import(db, parse_yaml(text, "org.yaml"), library).change_count == 0


def test_a_new_manager_from_the_file_ends_the_old_managers_one_on_one_once_accepted(
    db: Database, library: Library
) -> None:
    _import(db, read_org_file(EXAMPLES / "org.yaml"), library)
    ada, mia = _person(db, "U0ADA0002"), _person(db, "U0MIA0001")
    with db.uow() as uow:
        uow.managers.accept(uow.managers.pending_for(ada.id)[0])
        old_one_on_one = uow.one_on_ones.add(mia.id, ada.id, weekday=1, local_time=time(10)).id
    text = (
        (EXAMPLES / "org.yaml")
        .read_text()
        .replace("manager: U0MIA0001\n    timezone: Europe/London", "manager: U0BEN0003\n    timezone: Europe/London")
    )
    _import(db, parse_yaml(text, "org.yaml"), library)
    with db.uow() as uow:
        # Until Ada accepts Ben, Mia stays her manager and their 1:1 goes on.
        assert uow.managers.active_manager_of(ada.id).slack_user_id == "U0MIA0001"
        assert uow.one_on_ones.get(old_one_on_one).active is True
        new_link = uow.managers.pending_for(ada.id)[0]
        consent.decide(uow, link_id=new_link.id, actor=uow.people.get(ada.id), accept=True, now=NOW)
    with db.uow() as uow:
        assert uow.managers.active_manager_of(ada.id).slack_user_id == "U0BEN0003"
        assert uow.one_on_ones.get(old_one_on_one).active is False


def test_a_declined_manager_is_not_asked_again(db: Database, library: Library) -> None:
    _import(db, read_org_file(EXAMPLES / "org.yaml"), library)
    ada = _person(db, "U0ADA0002")
    with db.uow() as uow:
        uow.managers.decline(uow.managers.pending_for(ada.id)[0], now=datetime(2025, 3, 4))
    report = _import(db, read_org_file(EXAMPLES / "org.yaml"), library)
    assert report.change_count == 0
    assert report.notes == [
        "U0ADA0002 (Ada Okafor) declined U0MIA0001 (Mia Moreau) as manager on 2025-03-04; not asked again "
        "(they can add them from the bot)"
    ]


def test_names_time_zones_and_inactive_people_are_updated(db: Database, library: Library) -> None:
    _import(db, read_org_file(EXAMPLES / "org.yaml"), library)
    ben = _person(db, "U0BEN0003")
    with db.uow() as uow:
        uow.people.mark_inactive(uow.people.get(ben.id), "left")
    text = (
        (EXAMPLES / "org.yaml")
        .read_text()
        .replace("name: Ben Tanaka", "name: Ben T.")
        .replace("timezone: America/New_York", "timezone: America/Chicago")
    )
    report = _import(db, parse_yaml(text, "org.yaml"), library)
    assert report.changes == [
        "U0BEN0003 (Ben Tanaka): name Ben Tanaka → Ben T.",
        "U0BEN0003 (Ben Tanaka): time zone America/New_York → America/Chicago",
        "U0BEN0003 (Ben Tanaka): active again",
    ]
    with db.uow() as uow:
        schedule = uow.schedules.get_for(ben.id)
        assert schedule.next_due_at == datetime(2025, 3, 7, 21, 30)  # 15:30 in Chicago (CST, UTC-6)
        assert uow.people.get(ben.id).active


def test_a_snoozed_person_keeps_the_snooze_when_the_file_changes_their_time_zone(
    db: Database, library: Library
) -> None:
    _import(db, read_org_file(EXAMPLES / "org.yaml"), library)
    ben = _person(db, "U0BEN0003")
    with db.uow() as uow:
        snoozed = prompt_controls.snooze_next(uow, uow.people.get(ben.id), NOW)
        assert snoozed.next_due_at == datetime(2025, 3, 8, 20, 30)  # Friday 15:30 in New York, a day later
    text = (EXAMPLES / "org.yaml").read_text().replace("timezone: America/New_York", "timezone: America/Chicago")
    assert _import(db, parse_yaml(text, "org.yaml"), library).changes == [
        "U0BEN0003 (Ben Tanaka): time zone America/New_York → America/Chicago"
    ]
    with db.uow() as uow:
        # The next slot (Friday 15:30 in Chicago, 21:30 UTC) comes before the snooze ends.
        assert uow.schedules.get_for(ben.id).next_due_at == datetime(2025, 3, 8, 20, 30)


def test_emails_are_resolved_through_slack(db: Database, library: Library) -> None:
    directory = DictDirectory(
        [
            SlackProfile("U0LEA", "Léa", "Europe/Berlin", "Lea@Example.com"),
            SlackProfile("U0SAM", "Sam", None, "sam@example.com"),
        ]
    )
    org = parse_csv(
        "email,name,manager,framework,level\n"
        "lea@example.com,,,flow,P3\n"
        "SAM@example.com,Samira,lea@example.com,flow,P1\n"
    )
    report = _import(db, org, library, directory)
    assert report.added == 2
    lea, sam = _person(db, "U0LEA"), _person(db, "U0SAM")
    assert (lea.display_name, lea.email, lea.tz) == ("Léa", "lea@example.com", "Europe/Berlin")
    # Slack's real name wins over the file's (issue 15's one naming rule); the file's is kept beside it.
    assert (sam.display_name, sam.imported_name, sam.email, sam.tz) == ("Sam", "Samira", "sam@example.com", "UTC")
    # Known people need no Slack lookup the next time, not even without a token.
    assert _import(db, org, library, directory=None).change_count == 0


def test_yaml_times_and_numbers_are_read_as_written(db: Database, library: Library) -> None:
    org = parse_yaml(
        "people:\n  - slack_user_id: U0X1\n    framework: luko-execution\n    level: 3\n    prompt_time: 16:45\n"
    )
    _import(db, org, library)
    with db.uow() as uow:
        person = uow.people.get_by_slack_id(uow.workspaces.get_by_team("T1").id, "U0X1")
        assert uow.schedules.get_for(person.id).local_time == time(16, 45)
        assert set(uow.placements.current_for(person.id).levels.values()) == {"3"}


@pytest.mark.parametrize(
    ("weekday", "prompt_time", "slot"),
    [("tu", "9am", (1, time(9, 0))), ("Thurs", "2:30 pm", (3, time(14, 30))), ("FRI", "7", (4, time(7, 0)))],
)
def test_the_file_reads_days_and_times_as_forgivingly_as_the_ladder_commands(
    db: Database, library: Library, weekday: str, prompt_time: str, slot: tuple[int, time]
) -> None:
    # The same words `/ladder 1on1` and `/ladder admin schedule` accept (bot.services.slots).
    org = parse_yaml(f"- slack_user_id: U0X1\n  prompt_weekday: {weekday}\n  prompt_time: '{prompt_time}'\n")
    _import(db, org, library)
    with db.uow() as uow:
        person = uow.people.get_by_slack_id(uow.workspaces.get_by_team("T1").id, "U0X1")
        schedule = uow.schedules.get_for(person.id)
        assert (schedule.weekday, schedule.local_time) == slot


def test_people_without_a_framework_are_fine(db: Database, library: Library) -> None:
    report = _import(db, parse_yaml("- slack_user_id: U0BOSS\n  name: Boss\n"), library)
    assert report.changes == ["added U0BOSS (Boss)", "U0BOSS (Boss): prompts on Monday 10:00"]


BAD_YAML = """\
team_id: T1
people:
  - slack_user_id: U0A
    framework: no-such-ladder
    level: "1"
  - slack_user_id: U0B
    framework: vio-execution
    level: "9"
  - slack_user_id: U0C
    framework: vio-execution
    levels: {delivery: "2", wizardry: "3"}
  - slack_user_id: U0D
    framework: vio-execution
    levels: {delivery: "2"}
  - slack_user_id: U0E
    manager: U0F
    framework: flow
    level: P1
  - slack_user_id: U0F
    manager: U0E
    framework: flow
    level: P1
  - slack_user_id: U0A
    framework: flow
    level: P1
  - slack_user_id: U0G
    manager: U0NOBODY
  - email: ghost@example.com
  - slack_user_id: U0H
    prompt_weekday: someday
    prompt_time: "25:00"
    timezone: Mars/Olympus
  - slack_user_id: not-an-id
  - slack_user_id: U0I
    manager: U0I
  - slack_user_id: U0J
    framework: attest-engineering
    level: I
    track: wizard
  - slack_user_id: U0K
    level: "2"
  - slack_user_id: U0L
    favourite_colour: blue
  - name: Nobody
  - slack_user_id: U0M
    framework: flow
"""


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(db: Database, library: Library) -> None:
    problems = _problems(db, parse_yaml(BAD_YAML, "org.yaml"), library)
    assert problems == [
        "3: unknown framework 'no-such-ladder' (known: attest-engineering, flow, luko-execution, "
        "org-wide-engineering, vio-execution)",
        "6: framework vio-execution has no level '9' (levels: 1, 2, 3, 4, 5)",
        "9: framework vio-execution has no area 'wizardry' (areas: delivery, communication, quality, optimisation)",
        "9: levels: no level for areas communication, quality, optimisation",
        "12: levels: no level for areas communication, quality, optimisation",
        "15: manager cycle: U0E → U0F → U0E",
        "19: manager cycle: U0E → U0F → U0E",
        "23: duplicate person: U0A is also on line 3",
        "26: unknown manager 'U0NOBODY': not in this file and not known to growthbot",
        "28: ghost@example.com: SLACK_BOT_TOKEN is needed to resolve emails to Slack users: set it, or give "
        "slack_user_id",
        "29: timezone 'Mars/Olympus' is not an IANA time zone (like Europe/Paris)",
        "29: prompt_weekday 'someday' is not a weekday (monday ... sunday)",
        "29: prompt_time '25:00' is not a 24-hour time like 09:30",
        "33: slack_user_id 'not-an-id' is not a Slack user id (like U012AB3CD)",
        "34: manager cycle: U0I is their own manager",
        "36: framework attest-engineering has no track 'wizard' (tracks: staff)",
        "40: level, levels or track given without a framework",
        "44: each person needs a slack_user_id or an email",
        "45: give a level (one for every area of flow) or per-area levels",
    ]
    assert _count(db, Person) == 0 and _count(db, Placement) == 0


def test_slack_lookups_that_fail_are_reported(db: Database, library: Library) -> None:
    org = parse_csv(
        "email,framework,level\n"
        "nobody@example.com,flow,P1\n"
        "gone@example.com,flow,P1\n"
        "not-an-email,flow,P1\n"
        "a@example.com,flow,P1\n"
        "A@example.com,flow,P1\n"
    )
    directory = DictDirectory(
        [
            SlackProfile("U0GONE", None, None, "gone@example.com", deleted=True),
            SlackProfile("U0AAA", None, None, "a@example.com"),
        ]
    )
    assert _problems(db, org, library, directory) == [
        "2: no Slack user has the email nobody@example.com",
        "3: the Slack user with the email gone@example.com (U0GONE) is deactivated",
        "4: email 'not-an-email' is not an email address",
        "6: duplicate person: U0AAA is also on line 5",
    ]


class _SlackDown:
    """A Directory whose Slack answers every email lookup with an error."""

    def profile(self, user_id: str) -> SlackProfile | None:
        raise AssertionError("the import never reads profiles by id")

    def find_by_email(self, email: str) -> Failed:
        return Failed("ratelimited")


def test_a_slack_lookup_that_errors_is_reported_and_nothing_is_written(db: Database, library: Library) -> None:
    org = parse_csv("email,framework,level\nlea@example.com,flow,P1\n")
    assert _problems(db, org, library, _SlackDown()) == ["2: Slack could not look up lea@example.com (ratelimited)"]
    assert _count(db, Person) == 0


def test_csv_levels_column_and_shape_problems(db: Database, library: Library) -> None:
    org = parse_csv(
        "slack_user_id,framework,levels,colour\n"
        "U0A,luko-execution,delivery=3;communication=2;quality=3;optimisation=2,\n"
        "U0B,luko-execution,delivery:3,\n"
        "U0C,luko-execution,delivery=3,,extra\n"
    )
    assert "ignored unknown column colour" in org.warnings[0]
    assert _problems(db, org, library) == [
        "3: levels 'delivery:3': write area=level pairs separated by ';'",
        "3: give a level (one for every area of luko-execution) or per-area levels",
        "4: more values than columns",
        "4: levels: no level for areas communication, quality, optimisation",
    ]


def test_a_cycle_through_the_database_is_caught(db: Database, library: Library) -> None:
    _import(db, parse_yaml("- slack_user_id: U0A\n- slack_user_id: U0B\n  manager: U0A\n"), library)
    assert _problems(db, parse_yaml("- slack_user_id: U0A\n  manager: U0B\n"), library) == [
        "1: manager cycle: U0A → U0B → U0A"
    ]


def test_someone_made_inactive_and_imported_again_gets_a_fresh_next_prompt(db: Database, library: Library) -> None:
    _import(db, read_org_file(EXAMPLES / "org.yaml"), library)
    ben = _person(db, "U0BEN0003")
    with db.uow() as uow:
        # As the tick leaves someone Slack says is gone: inactive, no next prompt.
        uow.people.mark_inactive(uow.people.get(ben.id), "Slack: user_disabled")
        uow.schedules.set_next_due(uow.schedules.get_for(ben.id), None)
    report = _import(db, read_org_file(EXAMPLES / "org.yaml"), library, now=datetime(2025, 3, 20, 12, 0))
    assert report.changes == ["U0BEN0003 (Ben Tanaka): active again"]
    with db.uow() as uow:
        # Friday 15:30 in New York (EDT, UTC-4), the first slot after now.
        assert uow.schedules.get_for(ben.id).next_due_at == datetime(2025, 3, 21, 19, 30)
