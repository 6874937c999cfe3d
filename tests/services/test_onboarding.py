"""Setup rules without Slack, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

import pytest

from bot.services import prompt_controls
from bot.services.actor import Actor
from bot.services.onboarding import (
    FieldError,
    SetupChoice,
    SetupForm,
    base_level,
    parse_overrides,
    prefill_for,
    save_setup,
    validate,
)
from bot.services.people import SlackProfile, refresh_person
from bot.settings import Settings
from frameworks import Library
from storage.models import ManagerLinkStatus, Person
from storage.uow import UnitOfWork
from tests.conftest import Database
from tests.listeners.harness import bundled_library

NOW = datetime(2026, 6, 3, 12, 0)


@pytest.fixture(scope="module")
def library() -> Library:
    return bundled_library()


def form(**fields: object) -> SetupForm:
    values: dict[str, object] = {
        "framework_id": "luko-execution",
        "level_id": "2",
        "weekday": 0,
        "local_time": time(10, 0),
    }
    values.update(fields)
    return SetupForm(**values)  # type: ignore[arg-type]


def test_validate_builds_levels_for_every_area(library: Library) -> None:
    choice = validate(form(area_levels={"quality": "4"}), library, "U1")
    assert choice == SetupChoice(
        "luko-execution",
        None,
        {"delivery": "2", "communication": "2", "quality": "4", "optimisation": "2"},
        0,
        time(10, 0),
        None,
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"framework_id": "nope"}, "framework"),
        ({"framework_id": None}, "framework"),
        ({"level_id": "III"}, "level"),
        ({"track": "staff"}, "track"),
        ({"area_levels": {"cooking": "2"}}, "area:cooking"),
        ({"area_levels": {"quality": "9"}}, "area:quality"),
        ({"overrides_text": "quality = 9"}, "overrides"),
        ({"weekday": None}, "weekday"),
        ({"weekday": 7}, "weekday"),
        ({"local_time": None}, "time"),
        ({"manager_user_id": "U1"}, "manager"),
        ({"manager_user_id": "UBOT"}, "manager"),
    ],
)
def test_validate_reports_the_field(library: Library, fields: dict[str, object], field: str) -> None:
    result = validate(form(**fields), library, "U1", bot_user_id="UBOT")
    assert isinstance(result, list)
    assert [error.field for error in result] == [field]
    assert all(isinstance(error, FieldError) and error.message for error in result)


def test_parse_overrides_is_forgiving_and_precise(library: Library) -> None:
    attest = library["attest-engineering"]
    found, problems = parse_overrides(attest, "design = iv\nCoding & Testing: Level 2\n\n  debugging=VI  ")
    assert found == {"design-architecture": "IV", "coding-testing": "II", "debugging-troubleshooting": "VI"}
    assert problems == []
    found, problems = parse_overrides(attest, "design iv\ncooking = II\ndelivery = 12\ndelivery = I\ndelivery = II")
    assert problems == [
        "line 1: write it as `area = level`",
        "line 2: no area “cooking”",
        "line 3: no level “12”",
        "line 5: Delivery is given twice",
    ]


def test_base_level_is_the_most_common(library: Library) -> None:
    luko = library["luko-execution"]
    assert base_level(luko, {"delivery": "2", "communication": "2", "quality": "4", "optimisation": "3"}) == "2"
    assert base_level(luko, {"delivery": "3", "quality": "2"}) == "2"  # a tie goes to the lower level
    assert base_level(luko, {"delivery": "gone"}) is None


def test_save_setup_is_one_idempotent_unit_of_work(db: Database, library: Library) -> None:
    choice = validate(form(manager_user_id="U2", weekday=4, local_time=time(8, 0)), library, "U1")
    assert isinstance(choice, SetupChoice)
    profile = SlackProfile("U1", "Ada", "Europe/London", "ada@example.com")
    first = save_setup(db.uow, team_id="T1", profile=profile, choice=choice, now=NOW)
    again = save_setup(db.uow, team_id="T1", profile=profile, choice=choice, now=NOW)
    assert first.person_created and not again.person_created
    assert first.placement_changed and not again.placement_changed
    assert first.next_due_at == again.next_due_at == datetime(2026, 6, 5, 7, 0)  # Friday 08:00 BST
    with db.uow() as uow:
        workspace = uow.workspaces.get_by_team("T1")
        assert workspace is not None
        assert len(uow.people.list_in_workspace(workspace.id)) == 2
        me = uow.people.get(first.person_id)
        assert me is not None and me.email == "ada@example.com"
        assert len(uow.placements.history_for(me.id)) == 1
        [link] = uow.managers.history_for(me.id)
        assert link.status is ManagerLinkStatus.PENDING and link.manager_id == first.manager_person_id


def test_clearing_the_manager_in_setup_ends_the_link_and_its_one_on_one(db: Database, library: Library) -> None:
    profile = SlackProfile("U1", "Ada", "Europe/London", None)
    with_manager = validate(form(manager_user_id="U2", weekday=4, local_time=time(8, 0)), library, "U1")
    assert isinstance(with_manager, SetupChoice)
    first = save_setup(db.uow, team_id="T1", profile=profile, choice=with_manager, now=NOW)
    assert first.manager_person_id is not None
    with db.uow() as uow:
        uow.managers.accept(uow.managers.pending_for(first.person_id)[0], NOW)
        one_on_one = uow.one_on_ones.add(first.manager_person_id, first.person_id, weekday=1, local_time=time(10)).id
    without = validate(form(manager_user_id=None, weekday=4, local_time=time(8, 0)), library, "U1")
    assert isinstance(without, SetupChoice)
    assert save_setup(db.uow, team_id="T1", profile=profile, choice=without, now=NOW).manager_person_id is None
    with db.uow() as uow:
        assert uow.managers.active_link_of(first.person_id) is None
        assert uow.one_on_ones.get(one_on_one).active is False


def test_save_setup_reactivates_someone_who_had_stopped(db: Database, library: Library) -> None:
    choice = validate(form(), library, "U1")
    assert isinstance(choice, SetupChoice)
    profile = SlackProfile("U1", "Ada", "UTC", None)
    result = save_setup(db.uow, team_id="T1", profile=profile, choice=choice, now=NOW)
    with db.uow() as uow:
        me = uow.people.get(result.person_id)
        assert me is not None
        uow.people.mark_inactive(me, "asked to stop")
    save_setup(db.uow, team_id="T1", profile=profile, choice=choice, now=NOW)
    with db.uow() as uow:
        me = uow.people.get(result.person_id)
        assert me is not None and me.active


def test_saving_setup_again_respects_a_pause_or_a_snooze(db: Database, library: Library) -> None:
    profile = SlackProfile("U1", "Ada", "UTC", None)
    monday = validate(form(weekday=0, local_time=time(10, 0)), library, "U1")
    wednesday = validate(form(weekday=2, local_time=time(9, 0)), library, "U1")
    assert isinstance(monday, SetupChoice) and isinstance(wednesday, SetupChoice)
    person_id = save_setup(db.uow, team_id="T1", profile=profile, choice=monday, now=NOW).person_id

    def change(control: Callable[[UnitOfWork, Person], object]) -> None:
        with db.uow() as uow:
            person = uow.people.get(person_id)
            assert person is not None
            control(uow, person)

    # Paused until Saturday 20 June: a new slot starts after the pause, not this week.
    change(lambda uow, person: prompt_controls.pause(uow, person, NOW, until=date(2026, 6, 20)))
    moved = save_setup(db.uow, team_id="T1", profile=profile, choice=wednesday, now=NOW)
    assert moved.next_due_at == datetime(2026, 6, 24, 9, 0)
    # Paused until resumed: saving the same setup again plans nothing.
    change(lambda uow, person: prompt_controls.pause(uow, person, NOW))
    assert save_setup(db.uow, team_id="T1", profile=profile, choice=wednesday, now=NOW).next_due_at is None
    # Snoozed a day: the same slot saved again keeps the snooze.
    change(lambda uow, person: prompt_controls.resume(uow, person, NOW))
    change(lambda uow, person: prompt_controls.snooze_next(uow, person, NOW))
    assert save_setup(db.uow, team_id="T1", profile=profile, choice=wednesday, now=NOW).next_due_at == datetime(
        2026, 6, 11, 9, 0
    )


def test_refresh_person_follows_slack_deactivation(db: Database) -> None:
    with db.uow() as uow:
        workspace = uow.workspaces.get_or_create("T1")
        person, created = refresh_person(uow, workspace.id, SlackProfile("U1", "Ada", "Europe/Paris", None), now=NOW)
        assert created and person.tz == "Europe/Paris"
        refresh_person(uow, workspace.id, SlackProfile("U1", None, None, None, deleted=True), now=NOW)
        assert not person.active and person.display_name == "Ada"
        refresh_person(uow, workspace.id, SlackProfile("U1", "Ada B.", "Asia/Tokyo", None), now=NOW)
        assert person.active and person.display_name == "Ada B." and person.tz == "Asia/Tokyo"


def test_prefill_uses_the_configured_defaults_for_newcomers(db: Database, library: Library) -> None:
    settings = Settings(_env_file=None, GROWTHBOT_PROMPT_WEEKDAY="wed", GROWTHBOT_PROMPT_TIME="09:15")  # type: ignore[call-arg]
    prefill = prefill_for(db.uow, library, settings, Actor("T1", "U1"))
    assert (prefill.weekday, prefill.local_time, prefill.is_new) == (2, time(9, 15), True)
    assert prefill.framework_id == library.frameworks[0].id and prefill.level_id is None


def test_a_slack_deactivation_clears_the_next_prompt_and_coming_back_plans_a_fresh_one(db: Database) -> None:
    with db.uow() as uow:
        workspace = uow.workspaces.get_or_create("T1")
        person, _ = refresh_person(uow, workspace.id, SlackProfile("U1", "Ada", "Europe/Paris", None), now=NOW)
        uow.schedules.upsert(person.id, weekday=0, local_time=time(10, 0), next_due_at=datetime(2026, 6, 1, 8, 0))
        refresh_person(uow, workspace.id, SlackProfile("U1", None, None, None, deleted=True), now=NOW)
        assert not person.active and uow.schedules.get_for(person.id).next_due_at is None
        refresh_person(uow, workspace.id, SlackProfile("U1", "Ada", "Asia/Tokyo", None), now=NOW)
        # The next Monday 10:00 in Tokyo after Wednesday 3 June 2026, 12:00 UTC.
        assert person.active and uow.schedules.get_for(person.id).next_due_at == datetime(2026, 6, 8, 1, 0)
