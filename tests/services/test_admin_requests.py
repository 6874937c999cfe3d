"""The `/ladder admin` use cases: one unit of work each, an outcome value, audited. Both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

import pytest
from sqlalchemy import select

from bot.deps import Deps
from bot.services import admin, admin_requests
from bot.services.actor import Actor
from bot.services.admin_requests import Refused, Unreachable
from bot.services.directory import DictDirectory, EmailLookup
from bot.services.people import SlackProfile
from bot.services.slots import Slot
from storage.models import AuditEntry, Cadence, ManagerLinkStatus
from tests.conftest import Database
from tests.services.digest_data import World, load_ladder, make_world, offline_deps

NOW = datetime(2025, 3, 10, 12, 0)  # a Monday
LIBRARY = load_ladder()
ADMIN = Actor("T1", "UADMIN")
OTHER = Actor("T1", "UOTHER")


class CountingDirectory:
    """A Directory over fixed profiles that remembers whom it was asked about."""

    def __init__(self, *profiles: SlackProfile) -> None:
        self.inner = DictDirectory(profiles)
        self.asked: list[str] = []

    def profile(self, user_id: str) -> SlackProfile | None:
        self.asked.append(user_id)
        return self.inner.profile(user_id)

    def find_by_email(self, email: str) -> EmailLookup:
        return self.inner.find_by_email(email)


@pytest.fixture
def deps(db: Database) -> Deps:
    return offline_deps(db, LIBRARY, GROWTHBOT_ADMINS="UADMIN")


def _world(deps: Deps) -> World:
    with deps.uow() as uow:
        world = make_world(uow)
        uow.schedules.upsert(
            world.report_id, weekday=0, local_time=time(10, 0), next_due_at=datetime(2025, 3, 17, 10, 0)
        )
    return world


def _all_audited(deps: Deps) -> list[tuple[str | None, str, dict[str, Any]]]:
    with deps.uow() as uow:
        entries = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.actor_slack_id, e.action, dict(e.details or {})) for e in entries]


def _actions(deps: Deps) -> list[tuple[str | None, str]]:
    with deps.uow() as uow:
        return [(e.actor_slack_id, e.action) for e in reversed(uow.audit.for_subject("UREPORT"))]


CHANGES: list[tuple[str, Callable[[Deps, Actor], object]]] = [
    (admin.LISTED_PEOPLE, lambda deps, actor: admin_requests.list_people(deps, actor, page=1, now=NOW)),
    (admin.PAUSED, lambda deps, actor: admin_requests.pause(deps, actor, "UREPORT", until=None, now=NOW)),
    (admin.RESUMED, lambda deps, actor: admin_requests.resume(deps, actor, "UREPORT", now=NOW)),
    (
        admin.SCHEDULED,
        lambda deps, actor: admin_requests.set_schedule(deps, actor, "UREPORT", Slot(2, time(9)), now=NOW),
    ),
    (admin.DEACTIVATED, lambda deps, actor: admin_requests.deactivate(deps, actor, "UREPORT", now=NOW)),
    (admin.REACTIVATED, lambda deps, actor: admin_requests.reactivate(deps, actor, "UREPORT", now=NOW)),
]


@pytest.mark.parametrize(("action", "change"), CHANGES, ids=[action for action, _ in CHANGES])
def test_a_non_admin_is_refused_and_audited(deps: Deps, action: str, change: Callable[[Deps, Actor], object]) -> None:
    world = _world(deps)
    assert change(deps, OTHER) == Refused()
    with deps.uow() as uow:
        schedule = uow.schedules.get_for(world.report_id)
        assert (schedule.weekday, schedule.paused) == (0, False) and uow.people.get(world.report_id).active
    assert _all_audited(deps) == [("UOTHER", admin.DENIED, {"wanted": action})]


def test_refuse_audits_what_was_wanted(deps: Deps) -> None:
    _world(deps)
    assert admin_requests.refuse(deps, OTHER, "admin pause", NOW) == Refused()
    assert _all_audited(deps) == [("UOTHER", admin.DENIED, {"wanted": "admin pause"})]


def test_an_admin_lists_people(deps: Deps) -> None:
    _world(deps)
    listed = admin_requests.list_people(deps, ADMIN, page=1, now=NOW)
    assert isinstance(listed, admin.PeoplePage) and listed.total == 4


def test_an_admin_pauses_resumes_and_moves_someones_prompts(deps: Deps) -> None:
    _world(deps)
    paused = admin_requests.pause(deps, ADMIN, "UREPORT", until=date(2025, 3, 20), now=NOW)
    assert isinstance(paused, admin.PersonChange) and paused.schedule is not None
    assert paused.schedule.paused_until == datetime(2025, 3, 20) and paused.schedule.next_due_at == datetime(
        2025, 3, 24, 10
    )
    moved = admin_requests.set_schedule(deps, ADMIN, "UREPORT", Slot(2, time(9), Cadence.WEEKLY), now=NOW)
    assert isinstance(moved, admin.PersonChange) and moved.schedule is not None
    assert moved.schedule.paused and moved.schedule.next_due_at == datetime(2025, 3, 26, 9)  # after the pause
    resumed = admin_requests.resume(deps, ADMIN, "UREPORT", now=NOW)
    assert isinstance(resumed, admin.PersonChange) and resumed.schedule is not None
    assert not resumed.schedule.paused and resumed.schedule.next_due_at == datetime(2025, 3, 12, 9)
    assert _actions(deps) == [("UADMIN", admin.PAUSED), ("UADMIN", admin.SCHEDULED), ("UADMIN", admin.RESUMED)]


def test_someone_unknown_or_not_set_up_is_raised_with_nothing_changed(deps: Deps) -> None:
    _world(deps)
    with pytest.raises(admin.UnknownPerson):
        admin_requests.pause(deps, ADMIN, "UNOBODY", until=None, now=NOW)
    with pytest.raises(admin.NotSetUp):
        admin_requests.resume(deps, ADMIN, "UOTHER", now=NOW)


def test_deactivating_and_reactivating_say_whether_anything_changed(deps: Deps) -> None:
    world = _world(deps)
    first = admin_requests.deactivate(deps, ADMIN, "UREPORT", now=NOW)
    again = admin_requests.deactivate(deps, ADMIN, "UREPORT", now=NOW)
    assert isinstance(first, admin.PersonChange) and isinstance(again, admin.PersonChange)
    assert (first.changed, first.active, again.changed) == (True, False, False)
    back = admin_requests.reactivate(deps, ADMIN, "UREPORT", now=NOW)
    assert isinstance(back, admin.PersonChange) and back.changed and back.active
    assert back.schedule is not None and back.schedule.next_due_at == datetime(2025, 3, 17, 10)
    with deps.uow() as uow:
        assert uow.people.get(world.report_id).active


def test_naming_a_manager_makes_their_row_from_slack_and_waits_for_consent(deps: Deps) -> None:
    world = _world(deps)
    directory = CountingDirectory(SlackProfile("UNEW", "Nova", "UTC", None))
    named = admin_requests.name_manager(
        deps, directory, ADMIN, subject_slack_id="UREPORT", manager_slack_id="UNEW", now=NOW
    )
    assert isinstance(named, admin.ManagerRequest) and not named.already_active
    assert directory.asked == ["UNEW"]  # the others are known already
    with deps.uow() as uow:
        link = uow.managers.get(named.link_id)
        assert link.status is ManagerLinkStatus.PENDING and link.manager.display_name == "Nova"
        assert uow.managers.active_manager_of(world.report_id).slack_user_id == "UMANAGER"
    current = admin_requests.name_manager(
        deps, directory, ADMIN, subject_slack_id="UREPORT", manager_slack_id="UMANAGER", now=NOW
    )
    assert isinstance(current, admin.ManagerRequest) and current.already_active
    assert ("UADMIN", admin.NAMED_MANAGER) in _actions(deps)


def test_naming_someone_slack_cannot_reach_changes_nothing(deps: Deps) -> None:
    world = _world(deps)
    bot = SlackProfile("UBOT", "Robot", "UTC", None, is_bot=True)
    for manager in ("UGHOST", "UBOT"):
        named = admin_requests.name_manager(
            deps, DictDirectory([bot]), ADMIN, subject_slack_id="UREPORT", manager_slack_id=manager, now=NOW
        )
        assert named == Unreachable(manager)
    with deps.uow() as uow:
        assert len(uow.managers.history_for(world.report_id)) == 1


def test_each_person_named_is_asked_of_slack_once(deps: Deps) -> None:
    _world(deps)
    directory = CountingDirectory(SlackProfile("UNEW", "Nova", "UTC", None))
    with pytest.raises(admin.OwnManager):
        admin_requests.name_manager(deps, directory, ADMIN, subject_slack_id="UNEW", manager_slack_id="UNEW", now=NOW)
    assert directory.asked == ["UNEW"]


def test_a_non_admin_naming_a_manager_is_refused_before_slack_is_asked(deps: Deps) -> None:
    _world(deps)
    directory = CountingDirectory()
    named = admin_requests.name_manager(
        deps, directory, OTHER, subject_slack_id="UGHOST", manager_slack_id="UGONE", now=NOW
    )
    assert named == Refused() and directory.asked == []
    with deps.uow() as uow:
        assert [e.action for e in uow.audit.for_subject("UGHOST")] == [admin.DENIED]
